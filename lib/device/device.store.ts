import type { StoreConnection } from '../store/store-connection';
import { digest, randomSecret } from '../secret-value';
import { newUserCode, normalizeUserCode } from './user-code';

/** A pending device authorization (RFC 8628 §3.2). Times are epoch milliseconds. */
export interface DeviceRecord {
  clientId: string;
  scope: string;
  /** The resources the device asked for (RFC 8707), space separated; '' for none. */
  resources: string;
  userCode: string;
  status: 'pending' | 'approved' | 'denied';
  userId: string;
  username: string;
  expiresAt: number;
  /** Seconds between polls; grows by 5 at each slow_down (RFC 8628 §3.5). */
  interval: number;
  lastPollAt: number;
  /** Set once, by the poll that got the tokens (0 until then). */
  redeemedAt: number;
}

/** After expiry the record stays this long, so late polls hear expired_token rather than invalid_grant. */
const TOMBSTONE_MS = 600000;

/**
 * Device codes and user codes (RFC 8628), in Redis so every gateway instance
 * shares them. The device code is stored by digest, like tokens; the user
 * code is a lookup key to it that goes once the user decided.
 */
export class DeviceStore {
  constructor(
    private readonly db: StoreConnection,
    private readonly prefix: string
  ) {}

  private deviceKey(id: string): string {
    return `${this.prefix}device:${id}`;
  }
  private userCodeKey(code: string): string {
    return `${this.prefix}device-user:${code}`;
  }

  /** Starts an authorization; the user code is unique among live ones. */
  async create(
    clientId: string,
    scope: string,
    resources: string[],
    ttlSeconds: number,
    interval: number
  ): Promise<{ deviceCode: string; userCode: string }> {
    const deviceCode = randomSecret();
    const id = digest(deviceCode);
    const expiresAt = Date.now() + ttlSeconds * 1000;
    for (let attempt = 0; attempt < 5; attempt++) {
      const userCode = newUserCode();
      const claimed = await this.db.set(
        this.userCodeKey(normalizeUserCode(userCode)!),
        id,
        'PX',
        ttlSeconds * 1000,
        'NX'
      );
      if (claimed !== 'OK') continue;
      const key = this.deviceKey(id);
      const record: Record<string, string> = {
        clientId,
        scope,
        ...(resources.length ? { resources: resources.join(' ') } : {}),
        userCode,
        status: 'pending',
        userId: '',
        username: '',
        expiresAt: String(expiresAt),
        interval: String(interval),
        lastPollAt: '0'
      };
      await this.db
        .multi()
        .hmset(key, record)
        .pexpireat(key, expiresAt + TOMBSTONE_MS)
        .exec();
      return { deviceCode, userCode };
    }
    throw new Error('no free user code after 5 attempts');
  }

  private async read(id: string): Promise<DeviceRecord | null> {
    const hash = await this.db.hgetall(this.deviceKey(id));
    if (!hash?.clientId) return null;
    return {
      ...hash,
      resources: hash.resources ?? '',
      status: hash.status as DeviceRecord['status'],
      expiresAt: Number(hash.expiresAt),
      interval: Number(hash.interval),
      lastPollAt: Number(hash.lastPollAt),
      redeemedAt: Number(hash.redeemedAt ?? 0)
    } as DeviceRecord;
  }

  /** The live, undecided authorization a user code belongs to; null for a wrong, expired or used code. */
  async findPending(userCode: unknown): Promise<{ id: string; record: DeviceRecord } | null> {
    const code = normalizeUserCode(userCode);
    const id = code && (await this.db.get(this.userCodeKey(code)));
    return id ? this.pendingById(id) : null;
  }

  /** The authorization, if it still waits for a decision. */
  async pendingById(id: string): Promise<{ id: string; record: DeviceRecord } | null> {
    const record = await this.read(id);
    if (!record || record.status !== 'pending' || record.expiresAt <= Date.now()) return null;
    return { id, record };
  }

  /** The user's decision; false when it was already decided (a second tab). The user code stops working. */
  async decide(
    id: string,
    record: DeviceRecord,
    approved: boolean,
    user: { id: string; username: string }
  ): Promise<boolean> {
    const key = this.deviceKey(id);
    if (!(await this.db.hsetnx(key, 'decidedAt', String(Date.now())))) return false;
    // The user code's key goes beside the MULTI: on a cluster it may live on another node. The decision is already
    // taken (decidedAt), so the code answers nothing any more even before its key is gone.
    await Promise.all([
      this.db
        .multi()
        .hmset(key, { status: approved ? 'approved' : 'denied', userId: user.id, username: user.username })
        .pexpireat(key, record.expiresAt + TOMBSTONE_MS)
        .exec(),
      this.db.del(this.userCodeKey(normalizeUserCode(record.userCode)!))
    ]);
    return true;
  }

  /**
   * One poll of the device (RFC 8628 §3.4): the record as it was before this
   * poll, with the poll time recorded for the next interval check, but only
   * for a poll of the client the code was issued to: another client's would
   * push the device into slow_down.
   */
  async poll(deviceCode: string, clientId: string): Promise<{ id: string; record: DeviceRecord } | null> {
    const id = digest(deviceCode);
    const record = await this.read(id);
    if (!record || record.clientId !== clientId) return null;
    const key = this.deviceKey(id);
    await this.db
      .multi()
      .hset(key, 'lastPollAt', String(Date.now()))
      .pexpireat(key, record.expiresAt + TOMBSTONE_MS)
      .exec();
    return { id, record };
  }

  /** Polling too fast: every later poll must wait 5 seconds more (RFC 8628 §3.5). */
  async slowDown(id: string): Promise<void> {
    await this.db.hincrby(this.deviceKey(id), 'interval', 5);
  }

  /** Marks an approved authorization used; false when another poll redeemed it first. */
  async redeem(id: string): Promise<boolean> {
    return (await this.db.hsetnx(this.deviceKey(id), 'redeemedAt', String(Date.now()))) === 1;
  }
}
