import type { EgLogger } from './types';

/** Control characters (CR, LF, ESC for terminal colours...) and the Unicode line and paragraph separators. */
const BREAKS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * The gateway's logger, with every message kept to one line: a control
 * character anywhere in it (a user name, a client id, an upstream's error
 * text) is written as \u followed by its code, so no request can forge or
 * split a log line or colour a terminal (issue 15, item 14). Values are
 * also quoted where they are logged (quotedForLog); this holds for every
 * message, whatever it quotes.
 */
export function oneLineLogger(logger: EgLogger): EgLogger {
  const clean = (message: string) =>
    String(message).replace(BREAKS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return {
    error: (message) => logger.error(clean(message)),
    warn: (message) => logger.warn(clean(message)),
    info: (message) => logger.info(clean(message)),
    debug: (message) => logger.debug(clean(message))
  };
}

/** A value in a log line, quoted as JSON and cut to 200 characters: where it starts and ends is never in doubt. */
export const quotedForLog = (value: unknown): string => JSON.stringify(String(value).slice(0, 200));
