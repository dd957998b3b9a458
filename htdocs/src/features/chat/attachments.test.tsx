// @vitest-environment jsdom
// The composer's uploads (useUploads) with a fake uploader, and the
// message's file list: gallery view for images, download cards for files.
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { AttachmentList } from './AttachmentList';
import { formatBytes, useUploads, type Attachment } from './attachments';
import { withDom } from '@/test/dom';

const dom = withDom();
const att = (id: number, over: Partial<Attachment> = {}): Attachment => ({
  id,
  name: `f${id}.pdf`,
  size: 2048,
  content_type: 'application/pdf',
  url: `/api/attachments/${id}`,
  ...over,
});

describe('formatBytes', () => {
  it('uses the unit that fits', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(25 * 1024 * 1024)).toBe('25.0 MB');
  });
});

describe('useUploads', () => {
  it('uploads in parallel, reports progress, keeps the finished ones and drops a removed one', async () => {
    const settle: ((a: Attachment) => void)[] = [];
    const progress: ((p: number) => void)[] = [];
    const aborted: boolean[] = [];
    const fake = (_room: number, _f: File, onProgress: (p: number) => void, signal: AbortSignal) =>
      new Promise<Attachment>((resolve) => {
        const i = settle.length;
        settle.push(resolve);
        progress.push(onProgress);
        aborted.push(false);
        signal.addEventListener('abort', () => (aborted[i] = true));
      });
    let state!: ReturnType<typeof useUploads>;
    function Harness() {
      state = useUploads(1, fake);
      return null;
    }
    act(() => dom.root.render(<Harness />));
    act(() => state.add([new File(['a'], 'a.pdf'), new File(['b'], 'b.pdf'), new File(['c'], 'c.pdf')]));
    expect(state.uploads.map((u) => u.status)).toEqual(['uploading', 'uploading', 'uploading']);
    expect(state.busy).toBe(true);
    act(() => progress[0](0.5));
    expect(state.uploads[0].progress).toBe(0.5);
    await act(async () => settle[0](att(11)));
    await act(async () => settle[1](att(12)));
    act(() => state.remove(state.uploads[2].key));
    expect(aborted[2]).toBe(true);
    expect(state.busy).toBe(false);
    expect(state.ready.map((a) => a.id)).toEqual([11, 12]);
    act(() => state.clear());
    expect(state.uploads).toEqual([]);
  });
});

describe('AttachmentList', () => {
  it('shows images as thumbnails that open the gallery view, other files as download cards', () => {
    const img = att(1, { name: 'p.png', content_type: 'image/png', width: 800, height: 600, thumbnail: { url: '/api/attachments/1/thumbnail', width: 400, height: 300 } });
    const img2 = att(3, { name: 'q.gif', content_type: 'image/gif', thumbnail: { url: '/api/attachments/3/thumbnail', width: 10, height: 10 } });
    act(() => dom.root.render(<AttachmentList attachments={[img, att(2), img2]} />));
    const thumbs = dom.container.querySelectorAll<HTMLButtonElement>('[data-testid="attach-image"]');
    expect(thumbs.length).toBe(2);
    expect(thumbs[0].querySelector('img')!.getAttribute('src')).toBe('/api/attachments/1/thumbnail');
    const card = dom.container.querySelector('[data-testid="attach-file"]')!;
    expect(card.textContent).toContain('f2.pdf');
    expect(card.textContent).toContain('2.0 KB');
    expect(card.querySelector('a')!.getAttribute('href')).toBe('/api/attachments/2');
    act(() => thumbs[0].click());
    const box = document.querySelector('[data-testid="lightbox"]')!;
    expect(box.querySelector('img')!.getAttribute('src')).toBe('/api/attachments/1');
    act(() => document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true })));
    expect(document.querySelector('[data-testid="lightbox"] img')!.getAttribute('src')).toBe('/api/attachments/3');
    act(() => document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })));
    expect(document.querySelector('[data-testid="lightbox"]')).toBeNull();
  });
});
