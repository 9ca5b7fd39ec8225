import type { ErrorObject } from 'ajv';
import { didYouMean } from './did-you-mean';

/**
 * The error to report of a failed Ajv validation (allErrors is off: it stops at the first). A `oneOf` reports
 * what each of its choices found wrong, the first choice's first: instead, the error deepest inside the value (in
 * the choice the value meant), else the `oneOf` itself, saying what the choices are.
 */
export function firstError(errors: ErrorObject[] | null | undefined): ErrorObject {
  const first = errors?.[0];
  if (!first) return { keyword: 'invalid', instancePath: '', schemaPath: '#', params: {}, message: 'is invalid' };
  const choice = errors.find((error) => error.keyword === 'oneOf');
  if (!choice) return first;
  const depth = (error: ErrorObject) => error.instancePath.split('/').length;
  const deeper = errors.filter((error) => depth(error) > depth(choice)).sort((a, b) => depth(b) - depth(a))[0];
  if (deeper) return deeper;
  const choices = ((choice.schema ?? []) as ChoiceSchema[]).map(describeChoice);
  return { ...choice, message: `must be ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}` };
}

interface ChoiceSchema {
  type?: string;
  pattern?: string;
  required?: string[];
}

/** One choice of a oneOf, in words: `a string matching ^…$`, `an object with a and b`. */
function describeChoice({ type, pattern, required }: ChoiceSchema): string {
  if (type === 'object' && required?.length) return `an object with ${required.join(' and ')}`;
  if (type === 'string' && pattern) return `a string matching ${pattern}`;
  return type ? `a${/^[aeiou]/.test(type) ? 'n' : ''} ${type}` : 'another value';
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
