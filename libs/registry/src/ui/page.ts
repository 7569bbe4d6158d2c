import { type Registry } from '../registry';
import { type Html } from './html';
import { type PageContext } from './layout';

// What every page gets: the registry, whether the viewer may pull a repository (the Authorizer's
// rules), and the header's context.
export interface PageDeps {
  registry: Registry;
  mayPull: (name: string) => Promise<boolean>;
  page: PageContext;
}

export interface PageResult {
  status: number;
  body: Html;
  headers?: Record<string, string>;
}
