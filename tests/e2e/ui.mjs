// The web UI in Debian's Chromium, driven by Playwright (playwright-core), against a running
// uplinkd and uplink-sim (tests/e2e/browser_test.cpp starts them). Each step says what it checks;
// the first failure ends the run with a non-zero exit. Screenshots of every page, at a desktop's
// and a phone's width, go to UPLINK_SCREENSHOTS.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { chromium } from 'playwright-core';

const url = new URL(process.env.UPLINK_URL);
const setupCode = process.env.UPLINK_SETUP_CODE;
const screenshots = process.env.UPLINK_SCREENSHOTS;
const scenario = JSON.parse(readFileSync(process.env.UPLINK_SCENARIO, 'utf8'));
const password = 'a long e2e password';
const modemId = '1-1';
const firstLoadBudget = 150 * 1024;
const timeout = 15000;

// The flags that headless Chromium needs here (root, no GPU, no network beyond this machine).
const chromiumFlags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// One request to uplink-sim's control socket (docs/sim-control.md): a JSON line each way.
function simControl(request) {
  return new Promise((resolve, reject) => {
    const socket = createConnection(process.env.UPLINK_SIM_CONTROL);
    let received = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('uplink-sim did not answer in 5 s')));
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('data', (chunk) => {
      received += chunk;
      const end = received.indexOf('\n');
      if (end < 0) return;
      socket.end();
      const reply = JSON.parse(received.slice(0, end));
      if (reply.ok) resolve(reply);
      else reject(new Error(`uplink-sim refused ${JSON.stringify(request)}: ${reply.error}`));
    });
    socket.on('error', reject);
  });
}

async function waitUntil(what, condition, limit = timeout) {
  const deadline = Date.now() + limit;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const see = (scope, text) => scope.getByText(text, { exact: false }).first().waitFor({ timeout });

let stepNumber = 0;
async function step(name, body) {
  stepNumber += 1;
  const started = Date.now();
  await body();
  console.log(`ok ${stepNumber} - ${name} (${Date.now() - started} ms)`);
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumFlags });
const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
const pageErrors = [];
page.on('pageerror', (error) => pageErrors.push(error.message));
// Errors the page did not cause are left out: the 401s and 403s the login steps provoke, the
// 400 of the broken backup the restore step sends, and the
// requests Chromium aborts when the router namespace's wwan0 goes down and up (the APN change
// reconnects the modem; the event stream reconnects by itself).
page.on('console', (message) => {
  if (message.type() === 'error' && !/status of 40[013]|ERR_NETWORK_CHANGED/.test(message.text()))
    pageErrors.push(message.text());
});
const go = (route) => page.goto(new URL(`#/${route}`, url).href);

try {
  await step('the first visit asks for the setup code; the page weighs at most 150 KB gzipped', async () => {
    const pageFiles = [];
    page.on('requestfinished', (request) => {
      if (!new URL(request.url()).pathname.startsWith('/api/')) pageFiles.push(request);
    });
    await page.goto(url.href);
    await see(page, 'Set the admin password');
    let bytes = 0;
    for (const request of pageFiles) {
      const sizes = await request.sizes();
      bytes += sizes.responseBodySize + sizes.responseHeadersSize;
    }
    page.removeAllListeners('requestfinished');
    console.log(`# first load: ${pageFiles.length} files, ${bytes} bytes over the wire`);
    assert.ok(pageFiles.length >= 3, 'the page, its script and its style');
    assert.ok(bytes <= firstLoadBudget, `first load ${bytes} bytes > ${firstLoadBudget}`);
  });

  await step('a wrong setup code is refused with the reason', async () => {
    await page.getByLabel('Setup code').fill('AAAAA-AAAAA');
    await page.getByLabel('New password (8 characters or more)').fill(password);
    await page.getByLabel('The same again').fill(password);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('alert').waitFor({ timeout });
  });

  await step('the setup code sets the password and opens the overview', async () => {
    await page.getByLabel('Setup code').fill(setupCode);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout });
  });

  await step('logout ends the session', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await see(page, 'Log in to uplink');
    const status = await page.evaluate(async () => (await fetch('/api/v1/status')).status);
    assert.equal(status, 401);
  });

  await step('a wrong password is refused, the right one logs in', async () => {
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor({ timeout });
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout });
  });

  await step("the overview shows the emulated modem's operator and signal", async () => {
    const operator = scenario.operators[0].long_name;
    const radio = scenario.modems[0].radio;
    await see(page, 'WAN1 · EC25');
    await see(page, operator);
    await see(page, `${radio.rsrp} dBm RSRP, ${radio.sinr} dB SINR`);
    await see(page, 'registered');
    await see(page, 'carries traffic');
  });

  await step('a signal change in the emulator appears on the modem page without a reload', async () => {
    await go(`modem/${modemId}`);
    await page.getByRole('heading', { name: `Modem ${modemId}` }).waitFor({ timeout });
    await page.evaluate(() => (window.notReloaded = true));
    await simControl({ cmd: 'set-signal', rsrp: -101, sinr: 4 });
    await see(page, '-101 dBm');
    await see(page, '4 dB');
    assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was reloaded');
  });

  await step('the alignment view follows the signal live, with the best value seen', async () => {
    await go(`align/${modemId}`);
    await page.getByRole('heading', { name: 'Antenna alignment' }).waitFor({ timeout });
    await page.evaluate(() => (window.notReloaded = true));
    await simControl({ cmd: 'set-signal', rsrp: -78, sinr: 21 });
    const rsrp = page.locator('.meter').filter({ hasText: /^RSRP/ });
    await rsrp.locator('.meter-value').filter({ hasText: '-78' }).waitFor({ timeout });
    // Each antenna apart (AT+QRSRP): the main one, and the diversity one 3 dB below it (the
    // scenario's diversity_offset_db).
    const diversity = page.locator('.meter').filter({ hasText: 'Diversity antenna' });
    await diversity.locator('.meter-value').filter({ hasText: '-81' }).waitFor({ timeout });
    await page.locator('.meter').filter({ hasText: 'Main antenna' }).locator('.meter-value').filter({ hasText: '-78' }).waitFor({ timeout });
    await simControl({ cmd: 'set-signal', rsrp: -95 });
    await rsrp.locator('.meter-value').filter({ hasText: '-95' }).waitFor({ timeout });
    await rsrp.getByText('best -78 dBm').waitFor({ timeout });
    // The page counts the samples it gets over 2 s; at 4 a second one may fall outside a window.
    const rates = [];
    for (let reading = 0; reading < 3; reading += 1) {
      await page.waitForTimeout(2000);
      const shown = await page.getByText(/per second\)/).textContent();
      rates.push(Number(shown.match(/\(([\d.]+) per second\)/)[1]));
    }
    const mean = rates.reduce((sum, rate) => sum + rate, 0) / rates.length;
    console.log(`# alignment view: ${rates.join(', ')} samples a second (mean ${mean.toFixed(2)})`);
    assert.ok(mean >= 3.5, `the alignment view got ${mean.toFixed(2)} samples a second, not 4`);
    assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was reloaded');
  });

  await step('an APN changed on the profiles page is in effect in the emulator', async () => {
    await go('profiles');
    const card = page.locator('.card').filter({ hasText: 'Profile default' });
    await card.getByRole('button', { name: 'Edit' }).click();
    await card.getByLabel('APN').fill('internet2');
    await card.getByRole('button', { name: 'Preview' }).click();
    await see(card, 'Preview: nothing has changed yet.');
    await see(card, 'apn: internet -> internet2');
    await card.getByRole('button', { name: 'Apply' }).click();
    await see(card, 'Applied.');
    const bearer = await waitUntil('a bearer on APN internet2', async () => {
      const status = await simControl({ cmd: 'status' });
      return status.modems[0].bearers?.find((candidate) => candidate.apn === 'internet2');
    });
    await go(`modem/${modemId}`);
    await see(page, bearer.address);
  });

  await step('an operator scan lists the emulated network; choosing it previews a manual selection', async () => {
    await go(`radio/${modemId}`);
    await page.getByRole('button', { name: 'Scan for networks' }).click();
    const operator = scenario.operators[0];
    const row = page.getByRole('row').filter({ hasText: operator.long_name });
    await row.waitFor({ timeout });
    await row.getByRole('button', { name: 'Use' }).click();
    const mccMnc = operator.mcc + operator.mnc;
    await waitUntil('the operator field to hold the scanned network', async () =>
      (await page.getByLabel('Operator (MCC-MNC)').inputValue()) === mccMnc);
    await page.getByRole('button', { name: 'Preview' }).click();
    await see(page, 'Preview: nothing has changed yet.');
    await see(page, 'radio settings applied');
  });

  await step('the debug page shows the modem dialogue', async () => {
    await go(`debug/${modemId}`);
    await page.locator('pre.dialogue').filter({ hasText: 'AT+QENG="servingcell"' }).waitFor({ timeout });
    await page.getByLabel('Filter').fill('CPIN');
    await see(page.locator('pre.dialogue'), 'AT+CPIN');
  });

  await step('a config backup downloads; a broken one is refused whole; the backup restores', async () => {
    await go('settings');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download backup' }).click(),
    ]);
    const backup = readFileSync(await download.path(), 'utf8');
    assert.match(backup, /option apn 'internet2'/, 'the backup has the APN set on the profiles page');
    const chooser = page.getByLabel('Restore from a file');
    await chooser.setInputFiles({ name: 'broken.conf', mimeType: 'text/plain', buffer: Buffer.from('config uplink\n\toption poll_interval 0\n') });
    await see(page, 'nothing changed: line 2');
    await chooser.setInputFiles({ name: 'backup.conf', mimeType: 'text/plain', buffer: Buffer.from(backup) });
    await see(page, 'Preview: nothing has changed yet.');
    await page.getByRole('button', { name: 'Restore it' }).click();
    await see(page, 'Applied.');
  });

  await step('an API token needs the password again; it is shown once, listed, and revoked', async () => {
    await go('settings');
    const name = page.getByLabel("New token's name");
    const tokenPassword = page.getByLabel('Your admin password, to make it');
    await name.fill('e2e-script');
    await tokenPassword.fill('not the password');
    await page.getByRole('button', { name: 'Make a token' }).click();
    await see(page, 'wrong password');
    await tokenPassword.fill(password);
    await page.getByRole('button', { name: 'Make a token' }).click();
    await see(page, 'it is not shown again');
    assert.match(await page.locator('code.secret').textContent(), /^upl_[A-Za-z0-9_-]{43}$/);
    assert.equal(await tokenPassword.inputValue(), '', 'the password is not kept in the form');
    await page.getByRole('button', { name: 'revoke e2e-script' }).click();
    await page.getByRole('button', { name: 'revoke e2e-script' }).waitFor({ state: 'detached', timeout });
  });

  await step('an AT command round-trips through the console', async () => {
    await go(`console/${modemId}`);
    await page.getByLabel(`Command for ${modemId}`).fill('AT+CGSN');
    await page.getByRole('button', { name: 'Send' }).click();
    await see(page, scenario.modems[0].imei);
    await page.locator('.exchanges .final').filter({ hasText: 'OK' }).first().waitFor({ timeout });
    await page.getByLabel(`Command for ${modemId}`).fill('AT+NOSUCHCOMMAND');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.exchanges .error').first().waitFor({ timeout });
  });

  await step('the failover page shows the LTE WAN up with its round trip; a detach turns it dead, with the reason', async () => {
    await go('failover');
    const card = page.locator('.card', { has: page.getByRole('heading', { name: 'lte' }) });
    const state = () => card.locator('.status-line').innerText();
    await waitUntil('the LTE WAN up with a round trip', async () =>
      /up/i.test(await state()) && /\d+ ms ± \d+ ms/.test(await card.innerText()));
    await simControl({ cmd: 'detach' });
    // Without a reload: the wan-changed event (or the page's own refresh) brings it.
    await waitUntil('the LTE WAN dead on the page', async () => /dead/i.test(await state()));
    await see(card, 'the modem has no connection');
    await see(card.locator('.events li').first(), 'bearer lost (modem)');
    await simControl({ cmd: 'attach' });
    await waitUntil('the LTE WAN up again once the modem reconnects', async () => /up/i.test(await state()), 60000);
  });

  await step('a WAN and a new policy edited on the failover page are in uplinkd, previewed first; the policy is removed', async () => {
    await go('failover');
    const api = (path) => page.evaluate(async (path) => (await fetch(`/api/v1${path}`)).json(), path);
    const card = page.locator('.card', { has: page.getByRole('heading', { name: 'lte' }) });
    await card.getByRole('button', { name: 'Edit' }).click();
    await card.getByLabel('DNS servers').fill('192.0.2.53 192.0.2.54');
    await card.getByRole('button', { name: 'Preview' }).click();
    await see(card, 'Preview: nothing has changed yet.');
    await see(card, 'No modem reconnects: the policy routing follows at once.');
    assert.deepEqual((await api('/wans')).find((wan) => wan.name === 'lte').config.dns, [], 'a preview changed the WAN');
    await card.getByRole('button', { name: 'Apply' }).click();
    await see(card, 'Applied.');
    await waitUntil('the DNS servers in uplinkd', async () =>
      JSON.stringify((await api('/wans')).find((wan) => wan.name === 'lte').config.dns) === '["192.0.2.53","192.0.2.54"]');

    const creator = page.locator('.card', { has: page.getByRole('heading', { name: 'New policy' }) });
    await creator.getByLabel(/^Name/).fill('Bad-Name');
    await see(creator, 'A name is 1 to 15 lower-case letters, digits or underscores.');
    await creator.getByLabel(/^Name/).fill('lte_only');
    await creator.getByLabel(/^Tiers/).fill('lte');
    await creator.getByRole('button', { name: 'Preview' }).click();
    await see(creator, 'Preview: nothing has changed yet.');
    await creator.getByRole('button', { name: 'Apply' }).click();
    const policy = await waitUntil('the new policy in uplinkd', async () =>
      (await api('/policies')).policies.find((candidate) => candidate.name === 'lte_only'));
    assert.deepEqual(policy.tier, ['lte']);
    const policyCard = page.locator('.card', { has: page.getByRole('heading', { name: 'Policy lte_only' }) });
    await policyCard.getByRole('button', { name: 'Edit' }).click();
    await policyCard.getByRole('button', { name: 'Remove…' }).click();
    await policyCard.getByRole('button', { name: 'Remove it' }).click();
    await waitUntil('the policy gone from uplinkd', async () =>
      !(await api('/policies')).policies.some((candidate) => candidate.name === 'lte_only'));
  });

  await step('the pages are reachable by keyboard', async () => {
    await go('overview');
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout });
    const reached = new Set();
    for (let press = 0; press < 15; press += 1) {
      await page.keyboard.press('Tab');
      reached.add(await page.evaluate(() => document.activeElement?.textContent?.trim()));
    }
    for (const name of ['Overview', 'Failover', 'Modem', 'Antenna', 'Profiles', 'Radio', 'Debug', 'AT console', 'Settings', 'Log out'])
      assert.ok(reached.has(name), `Tab never reaches ${name}`);
  });

  const routes = ['overview', 'failover', `modem/${modemId}`, `align/${modemId}`, 'profiles', `radio/${modemId}`, `debug/${modemId}`, `console/${modemId}`, 'settings'];
  await step('every page renders at desktop and phone width (screenshots), none wider than a phone', async () => {
    mkdirSync(screenshots, { recursive: true });
    for (const [width, height, name] of [
      [1280, 800, 'desktop'],
      [375, 812, 'phone'],
    ]) {
      await page.setViewportSize({ width, height });
      for (const route of routes) {
        await go(route);
        await page.locator('main h1').waitFor({ timeout });
        // The event stream keeps the network busy for good: wait for the page's own loading instead.
        await page.waitForFunction(() => !document.querySelector('main').innerText.includes('Loading'), null, { timeout });
        const file = `${screenshots}/${name}-${route.split('/')[0]}.png`;
        await page.screenshot({ path: file, fullPage: true });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${route} is ${overflow} px wider than ${width} px`);
      }
    }
    console.log(`# screenshots in ${screenshots}`);
  });

  await step('logout from a phone-width menu', async () => {
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('button', { name: 'Log out' }).click();
    await see(page, 'Log in to uplink');
  });

  assert.deepEqual(pageErrors, [], 'errors in the page');
  console.log(`all ${stepNumber} steps passed`);
} catch (error) {
  console.error(`not ok ${stepNumber + 1} - ${error.stack ?? error}`);
  if (pageErrors.length) console.error(`errors in the page:\n${pageErrors.join('\n')}`);
  if (screenshots) {
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: `${screenshots}/failure.png`, fullPage: true }).catch(() => {});
  }
  process.exitCode = 1;
} finally {
  await browser.close();
}
