import {
  DYNAMIC_APP_PROPERTIES,
  OPENID_APP_PROPERTIES,
  PAIRWISE_APP_PROPERTIES,
  REGISTRAR_APP_PROPERTIES
} from '../clients/client-registrar';
import type { Settings } from '../settings';
import { SettingsError } from '../settings';
import type { EgModels } from './types';

type RegistrationSettings = Pick<
  Settings,
  'clientRegistration' | 'dynamicRegistration' | 'clientIdMetadataDocuments' | 'oidc'
>;

/** Whether dynamic registration may make pairwise clients (OpenID Connect Core §8.1). */
function pairwiseRegistration(settings: RegistrationSettings): boolean {
  return settings.dynamicRegistration.enabled && settings.oidc.enabled && settings.oidc.pairwiseSecret !== undefined;
}

/** The settings that make the plugin write application properties, and their names in messages. */
function registrationSettings(settings: RegistrationSettings): string[] {
  return [
    ...(settings.clientRegistration.enabled ? ['plugins.oauth2.clientRegistration.enabled'] : []),
    ...(settings.dynamicRegistration.enabled ? ['plugins.oauth2.dynamicRegistration.enabled'] : []),
    ...(settings.clientIdMetadataDocuments.enabled ? ['plugins.oauth2.clientIdMetadataDocuments.enabled'] : []),
    ...(settings.dynamicRegistration.enabled && settings.oidc.enabled ? ['plugins.oauth2.oidc.enabled'] : []),
    ...(pairwiseRegistration(settings) ? ['plugins.oauth2.oidc.pairwiseSecret'] : [])
  ];
}

/** The application properties enabled features write that EG's app model does not declare. */
export function missingAppProperties(settings: RegistrationSettings, models: EgModels | undefined): string[] {
  if (registrationSettings(settings).length === 0) return [];
  const declared = models?.applications?.properties ?? {};
  // Dynamic registration and documents write an OpenID Connect client's logout properties too (and registration its
  // subject type when offered).
  const openId =
    (settings.dynamicRegistration.enabled || settings.clientIdMetadataDocuments.enabled) && settings.oidc.enabled;
  const written = [
    ...REGISTRAR_APP_PROPERTIES,
    ...(settings.dynamicRegistration.enabled ? DYNAMIC_APP_PROPERTIES : []),
    ...(openId ? OPENID_APP_PROPERTIES : []),
    ...(pairwiseRegistration(settings) ? PAIRWISE_APP_PROPERTIES : [])
  ];
  return written.filter((name) => !(name in declared));
}

/**
 * EG refuses to store an app with a property its model lacks: every
 * registration would fail with a 500, the cause only in the log. Say so at
 * start instead.
 * @throws SettingsError naming the setting and the properties.
 */
export function checkAppModel(settings: RegistrationSettings, models: EgModels | undefined): void {
  const missing = missingAppProperties(settings, models);
  if (missing.length === 0) return;
  throw new SettingsError(
    `${registrationSettings(settings).join(' and ')} needs config/models/applications.json to declare the application ` +
      `properties registration writes; missing: ${missing.join(', ')} (declare each as { "type": "string" }; the README's ` +
      'table of application properties says what each holds)'
  );
}
