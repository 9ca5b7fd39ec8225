/**
 * Settings of client ID metadata documents (draft-ietf-oauth-client-id-metadata-document):
 * `plugins.oauth2.clientIdMetadataDocuments`. Off by default.
 */
export const clientIdMetadataDocumentsSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description:
    'Client ID metadata documents (draft-ietf-oauth-client-id-metadata-document, used by MCP clients): a `client_id` ' +
    "that is an https URL names the client's metadata, fetched from that URL under `clientUrls` (off by default).",
  properties: {
    enabled: {
      type: 'boolean',
      default: false,
      description:
        'Accept an https URL as `client_id`: its document is fetched, checked (its `client_id` is that URL, no shared ' +
        'secret, only grants a user takes part in) and kept as an EG app whose id is the URL; ' +
        '`client_id_metadata_document_supported` in the metadata.'
    },
    scopes: {
      type: 'array',
      uniqueItems: true,
      default: [],
      items: { type: 'string', minLength: 1 },
      description:
        "Scopes such a client's credential holds, the most its tokens may carry (each must exist in EG); the " +
        "document's own `scope` is not a grant."
    },
    owner: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      default: 'client-id-metadata-documents',
      description:
        'User name of the EG user owning the apps made from documents; the plugin creates the user (first and last ' +
        'name set, no credential) when it is missing.'
    },
    allowedHosts: {
      type: 'array',
      uniqueItems: true,
      default: [],
      items: { type: 'string', minLength: 1, pattern: '^(\\*\\.)?[a-z0-9.-]+(:[0-9]+)?$' },
      description:
        'Hosts whose documents are accepted (`claude.ai`, `*.example.com` for its subdomains, `host:8443` for a port); ' +
        'empty: any public host.'
    },
    maxClients: {
      type: 'integer',
      minimum: 1,
      maximum: 1000000,
      default: 10000,
      description:
        'Most apps made from documents; past it a new client_id URL is refused (remove unused ones with `eg apps remove`).'
    },
    maxClientsPerHost: {
      type: 'integer',
      minimum: 1,
      maximum: 100000,
      default: 100,
      description:
        'Most apps made from documents of one host name (whatever the port); past it a new URL of that host is refused ' +
        'unfetched.'
    },
    newClientsPerIp: {
      type: 'integer',
      minimum: 1,
      maximum: 10000,
      default: 10,
      description:
        'Most client_id URLs new to the server one IP address may bring in a minute (each costs a fetch and an app); ' +
        'past it the authorization endpoint shows an error page.'
    },
    maxBytes: {
      type: 'integer',
      minimum: 1024,
      maximum: 262144,
      default: 5120,
      description: 'Largest document read (the draft recommends 5 KB); larger is refused.'
    },
    minCacheSeconds: {
      type: 'integer',
      minimum: 0,
      maximum: 86400,
      default: 60,
      description:
        'Seconds a fetched document is used before it is fetched again, at least (its Cache-Control max-age or Expires ' +
        'counts when longer), and without caching headers.'
    },
    maxCacheSeconds: {
      type: 'integer',
      minimum: 0,
      maximum: 2592000,
      default: 86400,
      description: 'Seconds a fetched document is used at most, whatever its caching headers say.'
    }
  }
} as const;
