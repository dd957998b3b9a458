// Attachment uploads: one request per file (XMLHttpRequest, for upload
// progress), the composer's list of uploads, and size formatting.

import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, type ApiErrorBody } from '@/shared/api/client';
import type { Id, Message } from '@/shared/api/types';

export type Attachment = Message['attachments'][number];

/** Most files one message can carry (the server's limit). */
export const MAX_ATTACHMENTS = 10;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  return `${(n / (1024 * 1024 * 1024)).toFixed(1)} GB`;
}

export function isImage(a: Pick<Attachment, 'content_type'>): boolean {
  return a.content_type.startsWith('image/');
}

/** POST /api/rooms/{id}/attachments with `file`; progress in 0..1. */
export function uploadAttachment(roomId: Id, file: File, onProgress: (p: number) => void, signal: AbortSignal): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/rooms/${roomId}/attachments`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status === 201) {
        resolve(body as Attachment);
        return;
      }
      const err = (body as ApiErrorBody | undefined)?.error;
      reject(new ApiError(xhr.status, err?.code ?? `http_${xhr.status}`, err?.message ?? 'The upload failed.', err?.fields ?? {}, null));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'Cannot reach the server'));
    signal.addEventListener('abort', () => xhr.abort());
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

export interface Upload {
  key: number;
  name: string;
  size: number;
  progress: number;
  status: 'uploading' | 'done' | 'failed';
  error?: string;
  attachment?: Attachment;
  /** A local preview of an image while it uploads (object URL). */
  preview?: string;
}

type Uploader = typeof uploadAttachment;

/** The composer's uploads for one room: add files (uploaded at once, in
 * parallel), remove one (cancelled if still going), clear after sending. */
export function useUploads(roomId: Id, upload: Uploader = uploadAttachment) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const controllers = useRef(new Map<number, AbortController>());
  const nextKey = useRef(1);

  const patch = (key: number, change: Partial<Upload>) =>
    setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)));

  const add = useCallback(
    (files: Iterable<File>) => {
      const room = roomId;
      for (const file of files) {
        const key = nextKey.current++;
        const ctl = new AbortController();
        controllers.current.set(key, ctl);
        const preview = file.type.startsWith('image/') && typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : undefined;
        setUploads((list) => [...list, { key, name: file.name, size: file.size, progress: 0, status: 'uploading', preview }]);
        upload(room, file, (p) => patch(key, { progress: p }), ctl.signal).then(
          (attachment) => patch(key, { status: 'done', progress: 1, attachment }),
          (e: unknown) => {
            if (ctl.signal.aborted) return;
            patch(key, { status: 'failed', error: e instanceof Error ? e.message : 'The upload failed.' });
          },
        );
      }
    },
    [roomId, upload],
  );

  const remove = useCallback((key: number) => {
    controllers.current.get(key)?.abort();
    controllers.current.delete(key);
    setUploads((list) => {
      const gone = list.find((u) => u.key === key);
      if (gone?.preview) URL.revokeObjectURL(gone.preview);
      return list.filter((u) => u.key !== key);
    });
  }, []);

  const clear = useCallback(() => {
    controllers.current.clear();
    setUploads((list) => {
      for (const u of list) if (u.preview) URL.revokeObjectURL(u.preview);
      return [];
    });
  }, []);

  // Another room: its own uploads (what was not sent is dropped; the
  // server removes unsent uploads after a day).
  useEffect(() => () => clear(), [roomId, clear]);

  const ready = uploads.filter((u) => u.status === 'done' && u.attachment).map((u) => u.attachment as Attachment);
  const busy = uploads.some((u) => u.status === 'uploading');
  return { uploads, add, remove, clear, ready, busy };
}

/** Files dragged anywhere onto the page (the open room) go to `onFiles`
 * while mounted; `dragging` says when to show the drop hint. */
export function useFileDrop(onFiles: (files: File[]) => void): boolean {
  const [dragging, setDragging] = useState(false);
  const cb = useRef(onFiles);
  cb.current = onFiles;
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const over = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const files = Array.from(e.dataTransfer?.files ?? []);
      if (files.length) cb.current(files);
    };
    document.addEventListener('dragenter', enter);
    document.addEventListener('dragleave', leave);
    document.addEventListener('dragover', over);
    document.addEventListener('drop', drop);
    return () => {
      document.removeEventListener('dragenter', enter);
      document.removeEventListener('dragleave', leave);
      document.removeEventListener('dragover', over);
      document.removeEventListener('drop', drop);
    };
  }, []);
  return dragging;
}
