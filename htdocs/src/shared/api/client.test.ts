// errorMessage: the server's field messages and waits in words (issue 12,
// defect 11).
import { describe, expect, it } from 'vitest';
import { ApiError, errorMessage, humanDuration } from './client';

describe('errorMessage', () => {
  it('says a rate limit wait in minutes, not seconds', () => {
    const e = new ApiError(429, 'rate_limited', 'Too many failed sign-ins for this username; try later.', {}, 892);
    expect(errorMessage(e)).toBe('Too many failed sign-ins for this username — try again in 15 minutes.');
    expect(errorMessage(e)).not.toMatch(/892/);
  });

  it('shows the server field message', () => {
    const e = new ApiError(400, 'validation_failed', 'Validation failed.', { old: 'is not your current password' });
    expect(errorMessage(e)).toBe('Current password is not your current password');
    const q = new ApiError(400, 'validation_failed', 'Validation failed.', { q: 'Dates are written YYYY-MM-DD.' });
    expect(errorMessage(q)).toBe('Dates are written YYYY-MM-DD.');
  });

  it('keeps other messages', () => {
    expect(errorMessage(new ApiError(404, 'not_found', 'No such user.'))).toBe('No such user.');
    expect(errorMessage(new Error('boom'))).toBe('boom');
  });
});

describe('humanDuration', () => {
  it('rounds up to the unit', () => {
    expect(humanDuration(1)).toBe('1 second');
    expect(humanDuration(45)).toBe('45 seconds');
    expect(humanDuration(60)).toBe('1 minute');
    expect(humanDuration(61)).toBe('2 minutes');
    expect(humanDuration(900)).toBe('15 minutes');
    expect(humanDuration(3600)).toBe('1 hour');
    expect(humanDuration(7201)).toBe('3 hours');
  });
});
