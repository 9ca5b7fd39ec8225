import fs from 'fs';
import os from 'os';
import path from 'path';

/** Where `npm start` leaves demo.json for the sample clients (examples/lib/demo.mjs reads the same place). */
export const DEMO_DIR = process.env.OAUTH2_DEMO_DIR ?? path.join(os.tmpdir(), 'express-gateway-plugin-oauth2-demo');

/** The demo's private folder: key files and demo.json, all gone when the demo stops. */
export interface DemoDir {
  dir: string;
  /** Writes a file only this user can read (mode 0600) into a fresh subfolder of keys; returns its path. */
  writeKey(name: string, content: string | Buffer): string;
  /** Writes demo.json (mode 0600); returns its path. */
  writeJson(value: unknown): string;
  /** A fresh private subfolder, removed with the keys when the demo stops. */
  privateFolder(prefix: string): string;
}

/**
 * Opens `DEMO_DIR`, created with mode 0700. A fixed name in a shared temporary
 * folder could have been planted by another user to swap the files, so an
 * existing folder must be ours and writable by us alone (the files themselves
 * are 0600). At exit only what the demo wrote is removed, and the folder
 * itself only if the demo created it.
 */
export function openDemoDir(dir = DEMO_DIR): DemoDir {
  const created = !fs.existsSync(dir);
  if (created) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory() || (process.getuid && stat.uid !== process.getuid()) || (stat.mode & 0o022) !== 0) {
    throw new Error(
      `${dir} must be a directory you own that only you can write to (chmod 700), or set OAUTH2_DEMO_DIR elsewhere`
    );
  }
  const keysDir = fs.mkdtempSync(path.join(dir, 'keys-'));
  const jsonFile = path.join(dir, 'demo.json');
  let wroteJson = false;
  const folders = [keysDir];
  process.once('exit', () => {
    for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
    if (wroteJson) fs.rmSync(jsonFile, { force: true });
    if (created) {
      try {
        fs.rmdirSync(dir);
      } catch {
        /* something else was put there: leave it */
      }
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));
  return {
    dir,
    writeKey(name, content) {
      const file = path.join(keysDir, name);
      fs.writeFileSync(file, content, { mode: 0o600 });
      return file;
    },
    privateFolder(prefix) {
      const folder = fs.mkdtempSync(path.join(dir, prefix));
      folders.push(folder);
      return folder;
    },
    writeJson(value) {
      fs.writeFileSync(jsonFile, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
      fs.chmodSync(jsonFile, 0o600);
      wroteJson = true;
      return jsonFile;
    }
  };
}
