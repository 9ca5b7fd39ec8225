import path from 'path';
import type { DemoKeys } from './demo-keys';

export const ROOT = path.resolve(__dirname, '..', '..');
export const DEMO_CONFIG_DIR = path.join(ROOT, 'demo', 'config');

/** The variables demo/config/*.yml reads (EG substitutes ${NAME} when it loads them). */
export function demoConfigEnv(
  keys: DemoKeys,
  ports: { http: number; admin: number },
  backendUrl: string,
  mcpUrl: string
): Record<string, string> {
  return {
    DEMO_KEY_FILE: keys.signingKeyFile,
    DEMO_ID_TOKEN_KEY_FILE: keys.idTokenKeyFile,
    DEMO_ASSERTION_ISSUER: keys.assertionIssuer.issuer,
    DEMO_ASSERTION_KID: keys.assertionIssuer.kid,
    DEMO_ASSERTION_KEY_FILE: keys.assertionIssuer.publicKeyFile,
    DEMO_SAML_ENTITY_ID: keys.samlIdp.entityId,
    DEMO_SAML_CERT_FILE: keys.samlIdp.publicKeyFile,
    EG_CONFIG_DIR: DEMO_CONFIG_DIR,
    OAUTH2_PLUGIN_PACKAGE: path.join(ROOT, 'dist', 'manifest.js'),
    DEMO_HTTP_PORT: String(ports.http),
    DEMO_ADMIN_PORT: String(ports.admin),
    DEMO_BACKEND_URL: backendUrl,
    DEMO_MCP_URL: mcpUrl
  };
}
