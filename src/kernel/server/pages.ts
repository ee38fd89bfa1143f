import { fileURLToPath } from 'node:url';
import express, { type Express, type RequestHandler } from 'express';
import { ROUTE } from './httpObservability.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const PAGES = here('./pages/');
const CONSOLE = here('./console/');
const REPOSITORY = here('../../../');

/**
 * What a person opens in a browser, served by the same app as plain HTML and JavaScript (no
 * build step): `/` says where to go, `/api` renders `/openapi.json`, `/readme` the README (its
 * walk-through at `#walk-through`), `/docs/*` the design documents and screenshots, and
 * `/admin/console/` the operator's console, guarded like the rest of `/admin`.
 */
export function mountPages(app: Express, adminGuard: RequestHandler): void {
  const options = { index: false, maxAge: 0, dotfiles: 'ignore' as const };
  // Metrics count pages by where they are mounted, not by file.
  const route = (template: string): RequestHandler => (_req, res, next) => {
    res.locals[ROUTE] = template;
    next();
  };
  app.get('/', route('/'), (_req, res) => res.sendFile('landing.html', { root: PAGES }));
  app.get('/api', route('/api'), (_req, res) => res.sendFile('api.html', { root: PAGES }));
  app.get('/readme', route('/readme'), (_req, res) => res.sendFile('readme.html', { root: PAGES }));
  app.get('/readme.md', route('/readme.md'), (_req, res) => res.type('text/markdown; charset=utf-8').sendFile('README.md', { root: REPOSITORY }));
  app.use('/pages', route('/pages/*'), express.static(PAGES, options));
  app.use('/docs', route('/docs/*'), express.static(`${REPOSITORY}docs`, { ...options, setHeaders: (res, path) => path.endsWith('.md') && res.setHeader('content-type', 'text/markdown; charset=utf-8') }));
  app.use('/admin/console', adminGuard, route('/admin/console/*'), express.static(CONSOLE, { ...options, index: 'index.html' }));
}
