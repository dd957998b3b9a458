// describeAudit: audit actions read as sentences (that every action of
// common/audit.h has one: tests/integration/moderation.test.mjs).
import { describe, expect, it } from 'vitest';
import { describeAudit, type AuditEntry } from './moderation';

const user = (id: number, username: string) => ({ id, username, profile: {} }) as unknown as NonNullable<AuditEntry['actor']>;
const entry = (action: string, details: Record<string, unknown> = {}, target = true): AuditEntry => ({
  id: 1,
  action,
  actor: user(1, 'mod'),
  target_user: target ? user(2, 'bob') : null,
  details,
  created_at: '2026-12-06T06:00:00.000Z',
});

describe('describeAudit', () => {
  it('names actor, target and details', () => {
    expect(describeAudit(entry('member.ban', { reason: 'spam' }))).toBe('@mod banned @bob (spam)');
    expect(describeAudit(entry('member.timeout', { seconds: 600 }))).toBe('@mod timed out @bob for 600 s');
    expect(describeAudit(entry('member.role', { role: 'moderator' }))).toBe('@mod made @bob moderator');
    expect(describeAudit(entry('room.rename', { name: 'lobby' }, false))).toBe('@mod renamed a room to “lobby”');
    expect(describeAudit(entry('room.slow_mode', { seconds: 30 }, false))).toBe('@mod set slow mode to 30 s');
  });

  it('falls back for an unknown action and a deleted account', () => {
    expect(describeAudit({ ...entry('something.new'), actor: null })).toBe('someone: something.new');
  });
});
