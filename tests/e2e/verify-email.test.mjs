// verify-email.test.mjs - e-mail verification in the browser (EMAIL_VERIFY=1
// in the test stack): sign-up with an address, the banner and its resend,
// the mail in the SMTP sink, the page its link opens, the banner gone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { unique } from '../lib/api.mjs';
import { closeDb } from '../lib/db.mjs';
import { waitMails, verifyToken } from '../lib/mail.mjs';
import { assertNoErrors, closeAll, launch, openUser, shot } from './lib.mjs';

let browser;
let s;

before(async () => {
  browser = await launch();
  s = await openUser(browser, 'verifier');
});

after(async () => {
  await closeAll(browser, s);
  await closeDb();
});

const VERIFY = /\/verify-email#token=/;

test('sign up with an address, resend from the banner, follow the link', async () => {
  const { page } = s;
  const email = `${unique('ve')}@example.org`;
  await page.goto('/signup');
  const form = page.getByTestId('signup-form');
  await form.getByLabel('Username', { exact: true }).fill(unique('ve'));
  await form.getByLabel('Password', { exact: true }).fill('correct horse battery');
  await form.getByLabel('Repeat the password').fill('correct horse battery');
  await form.getByLabel('Email (optional)').fill(email);
  await page.getByTestId('signup-submit').click();
  await page.getByTestId('user-menu-button').waitFor();

  const banner = page.getByTestId('verify-banner');
  await banner.waitFor();
  assert.match(await banner.innerText(), new RegExp(email.replace(/\./g, '\\.')));
  assert.equal((await waitMails(email, 1, 10000, VERIFY)).length, 1);
  await page.getByTestId('verify-resend').click();
  assert.match(await page.getByTestId('verify-note').innerText(), /new link is on its way/);
  const mails = await waitMails(email, 2, 10000, VERIFY);
  assert.equal(mails.length, 2);
  await shot(page, 'verify-email-banner');

  await page.goto(`/verify-email#token=${verifyToken(mails[1])}`);
  await page.getByTestId('verify-done').waitFor();
  assert.equal(new URL(page.url()).hash, '', 'the used token leaves the address bar');
  await shot(page, 'verify-email-done');
  await page.getByRole('link', { name: 'Open Easy Chat' }).click();
  await page.getByTestId('user-menu-button').waitFor();
  assert.equal(await page.getByTestId('verify-banner').count(), 0, 'no banner once verified');
  assertNoErrors(assert, s);

  // the first link is used up with the second: a clear refusal
  await page.goto(`/verify-email#token=${verifyToken(mails[0])}`);
  assert.match(await page.getByTestId('verify-error').innerText(), /invalid, already used or expired/);
  s.errors = s.errors.filter((e) => !/status of 400 \(Bad Request\)/.test(e));
  assertNoErrors(assert, s);
});
