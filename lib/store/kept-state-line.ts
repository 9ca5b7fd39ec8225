import { kept } from '../eg/process-state';
import { ChangeFeed } from './change-feed';

/**
 * One debug line, at each start and hot reload, of what the process keeps
 * (lib/eg/process-state.ts): how many values, change listeners and Redis
 * subscriptions. Across reloads of the same configuration they stay the
 * same; an operator who suspects a leak can see it.
 */
export function keptStateLine(): string {
  const values = kept();
  const feeds = values
    .map(([, value]) => value)
    .filter((value): value is ChangeFeed<unknown> => value instanceof ChangeFeed);
  const listeners = feeds.reduce((sum, feed) => sum + feed.listeners, 0);
  const subscriptions = feeds.filter((feed) => feed.subscribed).length;
  return `oauth2: kept for the process: ${values.length} values, ${listeners} change listeners, ${subscriptions} Redis subscriptions`;
}
