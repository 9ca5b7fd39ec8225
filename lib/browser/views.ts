import fs from 'fs';
import path from 'path';
import pug from 'pug';

/** The plugin's own templates and style sheet. */
export const DEFAULT_VIEWS = path.resolve(__dirname, '..', '..', '..', 'views');

const PAGES = [
  'login',
  'consent',
  'error',
  'logged-out',
  'device',
  'device-done',
  'apps',
  'app-credentials',
  'connected-apps'
] as const;
export type PageName = (typeof PAGES)[number];
export type Render = (page: PageName, locals: Record<string, unknown>) => string;

/**
 * Compiles each page once. A page found in the operator's `views` folder
 * wins; any page missing there falls back to the default one, and pug's
 * `extends layout` resolves the same way (their layout, else ours).
 */
export function compileViews(customFolder?: string): Render {
  const pick = (file: string) => {
    const custom = customFolder && path.join(customFolder, file);
    return custom && fs.existsSync(custom) ? custom : path.join(DEFAULT_VIEWS, file);
  };
  const compiled = new Map(
    PAGES.map((page) => [
      page,
      pug.compileFile(pick(`${page}.pug`), {
        basedir: customFolder && fs.existsSync(path.join(customFolder, 'layout.pug')) ? customFolder : DEFAULT_VIEWS
      })
    ])
  );
  return (page, locals) => compiled.get(page)!(locals);
}
