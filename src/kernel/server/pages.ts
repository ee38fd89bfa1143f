import { timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import express, { type Express, type RequestHandler } from 'express';
import { sendProblem } from '../http/problem.js';
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
export function mountPages(app: Express, adminGuard: RequestHandler, adminToken?: string): void {
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
  // A browser without the token is sent to sign in rather than shown a problem.
  const signInFirst: RequestHandler = (req, res, next) => (adminToken && !req.headers.authorization && !/seams_admin=/.test(req.headers.cookie ?? '') ? res.redirect('/admin-sign-in') : next());
  app.use('/admin/console', signInFirst, adminGuard, route('/admin/console/*'), express.static(CONSOLE, { ...options, index: 'index.html' }));
  // With SEAMS_ADMIN_TOKEN, a browser signs in once: the token, checked, goes into an HttpOnly cookie the admin guard accepts.
  app.get('/admin-sign-in', route('/admin-sign-in'), (_req, res) => res.sendFile('sign-in.html', { root: PAGES }));
  app.post('/admin-sign-in', route('/admin-sign-in'), (req, res) => {
    const given = Buffer.from(typeof req.body?.token === 'string' ? req.body.token : '');
    const expected = Buffer.from(adminToken ?? '');
    if (!adminToken || given.length !== expected.length || !timingSafeEqual(given, expected)) return sendProblem(res, 401, 'that is not the admin token');
    res.cookie('seams_admin', adminToken, { httpOnly: true, sameSite: 'strict', path: '/' }).status(204).end();
  });
}
