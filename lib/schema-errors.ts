import type { ErrorObject } from 'ajv';
import { didYouMean } from './did-you-mean';

/** The error a failed Ajv validation reports first (allErrors is off: it stops at the first). */
export function firstError(errors: ErrorObject[] | null | undefined): ErrorObject {
  return errors?.[0] ?? { keyword: 'invalid', instancePath: '', schemaPath: '#', params: {}, message: 'is invalid' };
}

/** An Ajv error as one line naming the key: `plugins.oauth2.accessToken.ttl must be >= 1`. */
export function describeSchemaError(error: ErrorObject, root: string): string {
  const where = [root, ...error.instancePath.split('/').slice(1)].join('.');
  if (error.keyword === 'additionalProperties') {
    const typed = String(error.params.additionalProperty);
    const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    return `unknown setting ${where}.${typed}${didYouMean(typed, known)}`;
  }
  const allowed = 'allowedValues' in error.params ? ` (one of: ${error.params.allowedValues.join(', ')})` : '';
  return `${where} ${error.message}${allowed}`;
}
