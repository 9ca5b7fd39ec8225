import type { Request } from 'express';
import type { Client } from '../clients/client';
import type { EgContext } from '../eg/types';
import type { ParsedAuthorization } from '../grants/code.grant';
import type { ResourceRequest } from '../resources/resource-indicators';

/** oauth2orize's transaction of an authorization request, once loaded (server.authorization, server.decision). */
export interface OAuth2Transaction {
  transactionID: string;
  client: Client;
  redirectURI: string;
  req: ParsedAuthorization & { scope?: string[]; state?: string; type?: string };
}

/**
 * What other middleware leaves on a request, declared once for every file
 * that reads it (instead of a cast at each place).
 */
declare global {
  namespace Express {
    /** passport's req.authInfo at the token endpoint: what the grants know of the request. */
    interface AuthInfo {
      /** The client's address as trustProxy reads it (for the guessing limits). */
      clientIp?: string;
      /** What a token request asks of resources (RFC 8707 §2), checked. */
      resources?: ResourceRequest;
      /** The thumbprint of the key of the request's DPoP proof (RFC 9449 §5), checked. */
      dpopJkt?: string;
      /** The thumbprint of the client certificate presented (RFC 8705 §3.1). */
      certificate?: string;
      /** The thumbprint of the client certificate the tokens are bound to (RFC 8705 §3). */
      x5t?: string;
    }

    interface Request {
      /** The raw text of a JSON token request (tokenEndpoint.acceptJson), to find repeated keys. */
      rawJson?: string;
      /** EG's context: the API endpoint the pipeline serves. */
      egContext?: EgContext;
      /** body-parser's mark of a body already read. */
      _body?: boolean;
    }
  }
}

/** oauth2orize's transaction on a request (its own types declare a looser one, under the same name). */
export function transactionOf(req: Request): OAuth2Transaction | undefined {
  return (req as Request & { oauth2?: OAuth2Transaction }).oauth2;
}

/**
 * A parameter of the matched route's path (`/:name`): Express sets every one the route names, so it is never missing.
 */
export function pathParam(req: Request, name: string): string {
  return req.params[name] ?? '';
}
