// mail.mjs - reads the mail the test stack's SMTP sink (python3-aiosmtpd,
// started by conf/stack.sh --test) filed in its maildir, VARDIR/mail.
import fs from 'node:fs';
import path from 'node:path';
import { env, sleep } from './api.mjs';

const mailDir = () => process.env.MAIL_DIR || path.join(env.varDir, 'mail');

/** Maildir names as Python's mailbox writes them (the sink is aiosmtpd's
 * Mailbox handler): SECONDS.M<microseconds>P<pid>Q<counter>.host.  The
 * microseconds are not zero-padded, so by name a mail at .M98765 sorts
 * after one at .M123456 of the same second: compare the numbers. */
export function byDelivery(a, b) {
  const key = (f) => {
    const m = /^(\d+)\.M(\d+)P\d+Q(\d+)\./.exec(f);
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
  };
  const ka = key(a);
  const kb = key(b);
  if (ka && kb) {
    for (let i = 0; i < 3; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every mail addressed to `to` (and matching `match`, a RegExp, if
 * given), as raw text, oldest first. */
export function mailsTo(to, match = null) {
  const out = [];
  const header = new RegExp(`^To: <${to.replace(/[.+*?^$()[\]{}|\\]/g, '\\$&')}>`, 'mi');
  for (const sub of ['new', 'cur']) {
    const dir = path.join(mailDir(), sub);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort(byDelivery)) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      if (header.test(text) && (!match || match.test(text))) out.push(text);
    }
  }
  return out;
}

/** Waits until `to` has at least n mails (matching `match` if given), or
 * ms pass; returns them all. */
export async function waitMails(to, n = 1, ms = 10000, match = null) {
  const end = Date.now() + ms;
  for (;;) {
    const m = mailsTo(to, match);
    if (m.length >= n || Date.now() > end) return m;
    await sleep(50);
  }
}

/** The token of the password-reset link in a mail. */
export function resetToken(mail) {
  const m = /\/reset-password#token=([A-Za-z0-9_-]+)/.exec(mail || '');
  if (!m) throw new Error(`no reset link in:\n${mail}`);
  return m[1];
}

/** The token of the e-mail verification link in a mail. */
export function verifyToken(mail) {
  const m = /\/verify-email#token=([A-Za-z0-9_-]+)/.exec(mail || '');
  if (!m) throw new Error(`no verification link in:\n${mail}`);
  return m[1];
}
