import Ajv from 'ajv';
import { DOC_KEYWORDS } from '../../schemas/doc-keywords';
import { egAuthSchema } from '../../schemas/eg-auth.schema';
import { policySchema, PolicyParams } from '../../schemas/policy.schema';
import { didYouMean } from '../did-you-mean';
import { describeSchemaError, firstError } from '../schema-errors';
import { SettingsError } from '../settings';
import type { GatewayConfig } from './types';

const KNOWN = [...Object.keys(policySchema.allOf[1].properties), ...Object.keys(egAuthSchema.properties)];

const ajv = new Ajv({ useDefaults: true, strict: false, verbose: true, keywords: [...DOC_KEYWORDS] });
ajv.addSchema(egAuthSchema);
const validate = ajv.compile(policySchema);

/** What EG mixes into every action it hands a policy (lib/gateway/actionParams.js, copied in by Object.assign). */
const EG_HELPERS = ['getCommonAuthCallback'];

/** @throws TypeError naming a key neither the policy nor EG's auth parameters know. */
export function refuseUnknownParameters(params: Record<string, unknown>): void {
  const unknown = Object.keys(params).find((key) => !KNOWN.includes(key) && !EG_HELPERS.includes(key));
  if (unknown) throw new TypeError(`oauth2 policy: unknown parameter ${unknown}${didYouMean(unknown, KNOWN)}`);
}

/** One `- oauth2:` step of a pipeline, and where it is written. */
export interface OAuth2Step {
  where: string;
  /** The pipeline's name. */
  pipeline: string;
  action: Record<string, unknown>;
}

/** Every `- oauth2:` step of every pipeline, `pipelines.orders.policies.0.oauth2.0.action` and its parameters. */
export function oauth2Steps(gateway: GatewayConfig): OAuth2Step[] {
  return Object.entries(gateway.pipelines ?? {}).flatMap(([name, pipeline]) =>
    (pipeline?.policies ?? []).flatMap((entry, index) => {
      if (!entry || typeof entry !== 'object' || !('oauth2' in entry)) return [];
      const listed = entry.oauth2;
      // `- oauth2:` (no steps) is one step without parameters, as EG reads it.
      const steps = listed === null || listed === undefined ? [{}] : Array.isArray(listed) ? listed : [listed];
      return steps.map((step, position) => ({
        where: `pipelines.${name}.policies.${index}.oauth2.${position}.action`,
        pipeline: name,
        action: { ...(step as { action?: Record<string, unknown> } | null)?.action }
      }));
    })
  );
}

/**
 * The step's parameters, validated and defaulted as the policy will get
 * them. Unlike EG's schema check, which must leave the root open to its own
 * helpers, an unknown key is refused: `passthrough: true` would otherwise be
 * ignored in silence.
 * @throws SettingsError naming the pipeline and the key.
 */
export function checkedParams({ where, action }: OAuth2Step): PolicyParams {
  const unknown = Object.keys(action).find((key) => !KNOWN.includes(key));
  if (unknown) throw new SettingsError(`unknown parameter ${where}.${unknown}${didYouMean(unknown, KNOWN)}`);
  const params = structuredClone(action);
  if (!validate(params)) throw new SettingsError(describeSchemaError(firstError(validate.errors), where));
  return params as unknown as PolicyParams;
}

/** What is wrong with one step, or null: its parameters, then what the policy would build from them (`dryRun`). */
export function stepProblem(step: OAuth2Step, dryRun: (params: PolicyParams) => void): string | null {
  try {
    const params = checkedParams(step);
    dryRun(params);
    return null;
  } catch (err) {
    const message = (err as Error).message.replace(/^oauth2 policy: /, '');
    return err instanceof SettingsError ? message : `${step.where}: ${message}`;
  }
}

/**
 * Checks every pipeline's `oauth2` parameters at start, so that a mistake
 * stops the gateway with the pipeline named.
 * @throws SettingsError naming the pipeline and the key.
 */
export function checkPipelines(gateway: GatewayConfig, dryRun: (params: PolicyParams) => void): void {
  for (const step of oauth2Steps(gateway)) {
    const problem = stepProblem(step, dryRun);
    if (problem) throw new SettingsError(problem);
  }
}
