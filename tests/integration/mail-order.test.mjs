// mail-order.test.mjs - tests/lib/mail.mjs lists a recipient's mails in the
// order the SMTP sink received them, also when a maildir name's unpadded
// microseconds would sort them the other way (email-verify.test.mjs once
// took the first verification mail for the resent one: TOPOLOGY=multi).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mailsTo } from '../lib/mail.mjs';

test('mails come oldest first, by the numbers in their maildir names', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-order-'));
  const saved = process.env.MAIL_DIR;
  try {
    fs.mkdirSync(path.join(dir, 'new'));
    fs.mkdirSync(path.join(dir, 'cur'));
    const mail = (n) => `To: <a@example.org>\nSubject: mail ${n}\n\nbody ${n}\n`;
    // The same second: .M98765 (first) before .M123456 (second), and
    // the counter last; by name the second would come first.
    fs.writeFileSync(path.join(dir, 'new', '1765000000.M98765P42Q1.host'), mail(1));
    fs.writeFileSync(path.join(dir, 'new', '1765000000.M123456P42Q2.host'), mail(2));
    fs.writeFileSync(path.join(dir, 'new', '1765000001.M5P42Q3.host'), mail(3));
    process.env.MAIL_DIR = dir;
    assert.deepEqual(mailsTo('a@example.org').map((m) => /Subject: (.*)/.exec(m)[1]),
      ['mail 1', 'mail 2', 'mail 3']);
  } finally {
    if (saved === undefined) delete process.env.MAIL_DIR;
    else process.env.MAIL_DIR = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
