// sniffImage: the four picture types by their first bytes, nothing else.
import { describe, expect, it } from 'vitest';
import { sniffImage } from './imageType';

const bytes = (...b: number[]) => new Uint8Array([...b, ...new Array(16).fill(0)].slice(0, 16));

describe('sniffImage', () => {
  it('knows PNG, JPEG, GIF and WebP', () => {
    expect(sniffImage(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toBe('PNG');
    expect(sniffImage(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('JPEG');
    expect(sniffImage(bytes(0x47, 0x49, 0x46, 0x38, 0x39, 0x61))).toBe('GIF');
    expect(sniffImage(bytes(0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50))).toBe('WEBP');
  });
  it('refuses text, PDF and an empty file', () => {
    expect(sniffImage(new TextEncoder().encode('hello, not a picture'))).toBeNull();
    expect(sniffImage(new TextEncoder().encode('%PDF-1.7'))).toBeNull();
    expect(sniffImage(new Uint8Array(0))).toBeNull();
    expect(sniffImage(bytes(0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x41, 0x56, 0x49, 0x20))).toBeNull();
  });
});
