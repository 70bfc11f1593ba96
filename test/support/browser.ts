import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { findRepoRoot } from '../../gateway/src/chain/artifacts';

/** Debian's Chromium (`apt-get install chromium`); playwright-core downloads no browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser tests leave their screenshots: test-artifacts/<suite>/, beside the repository's files, ignored by git. */
export const artifactsDir = (suite: string): string => join(findRepoRoot(), 'test-artifacts', suite);

/** Everything a page sent: each request's method, URL, headers and body, as the network saw them. */
export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Chromium, headless, without the sandbox (tests run as root) and without background networking
 * (this machine's network is closed); every request of every page recorded.
 */
export async function launchBrowser(): Promise<{ browser: Browser; sent: SentRequest[]; context(options?: Parameters<Browser['newContext']>[0]): Promise<BrowserContext> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const sent: SentRequest[] = [];
  return {
    browser,
    sent,
    async context(options) {
      const context = await browser.newContext(options);
      context.on('request', (request) => {
        sent.push({ method: request.method(), url: request.url(), headers: request.headers(), body: request.postDataBuffer()?.toString('latin1') ?? '' });
      });
      return context;
    },
  };
}

/** A full-page screenshot, test-artifacts/<suite>/<name>.png. */
export async function screenshot(page: Page, suite: string, name: string): Promise<void> {
  await mkdir(artifactsDir(suite), { recursive: true });
  await page.screenshot({ path: join(artifactsDir(suite), `${name}.png`), fullPage: true });
}

/**
 * axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules on the page as it is: the violations, each
 * with the elements at fault (none is the pass). axe runs in the page through the DevTools
 * protocol, which the page's CSP does not govern.
 */
export async function accessibilityViolations(page: Page): Promise<{ id: string; impact: string | null; help: string; targets: string[] }[]> {
  const source = require('axe-core').source as string;
  await page.evaluate(source);
  const result = await page.evaluate<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }>(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })",
  );
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

