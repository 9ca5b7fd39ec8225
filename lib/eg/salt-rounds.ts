import type { SystemConfig } from './types';

/** EG's bcrypt cost (crypto.saltRounds in system.config.yml; EG's own default is 10). */
export function saltRounds(system: SystemConfig): number {
  const rounds = system.crypto?.saltRounds;
  return typeof rounds === 'number' && Number.isInteger(rounds) && rounds >= 4 && rounds <= 31 ? rounds : 10;
}
