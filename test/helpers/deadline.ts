import type { Reply } from '../../support/http';

/** No request may take longer than this, whatever Redis does (the plugin's store.timeout is 2 s by default). */
export const DEADLINE_MS = 4000;

/** The answer, or a failure naming the request if none came within DEADLINE_MS. */
export async function answered(what: string, pending: Promise<Reply>): Promise<Reply> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${DEADLINE_MS} ms`)), DEADLINE_MS);
  });
  try {
    return await Promise.race([pending, late]);
  } finally {
    clearTimeout(timer);
  }
}
