import type { NextFunction, Request, Response } from 'express';
import { isDocumentClientId } from '../client-documents/document-client-id';
import { InvalidClientMetadata } from '../errors';
import type { ClientMetadata } from './client-metadata';
import type { OperatorAppNames } from './operator-app-names';

/** Where a registration has a name already (an update, RFC 7592 §2.2): the name it keeps. */
export type CurrentName = (res: Response) => string | undefined;

/**
 * The step after readClientMetadata: a client_name that is, or reads as,
 * the name of one of the operator's apps is refused (RFC 7591 §3.2.2), as
 * the consent page shows it to users who trust that name. An update that
 * keeps the client's current name passes, so that an operator app named
 * later does not lock the client out of its own configuration.
 */
export function checkClientName(names: OperatorAppNames, currentName: CurrentName = () => undefined) {
  return function checkClientName(_req: Request, res: Response, next: NextFunction): void {
    const { clientName } = res.locals.metadata as ClientMetadata;
    if (clientName === undefined || clientName === currentName(res)) return next();
    // An app made from a client ID metadata document is named by its URL: nobody else may take such a name.
    if (isDocumentClientId(clientName))
      return next(new InvalidClientMetadata('client_name may not be an https URL; choose another'));
    names.resemble(clientName).then((taken) => {
      next(
        taken
          ? new InvalidClientMetadata(
              'client_name is the name of an application of this service, or looks the same; choose another'
            )
          : undefined
      );
    }, next);
  };
}
