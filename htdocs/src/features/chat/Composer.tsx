// The message composer: Enter sends, Shift+Enter makes a new line; typing
// frames are throttled; a reply preview when replying.

import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { GroupDetail, Message, RoomSummary } from '@/shared/api/types';
import { senderOf } from '@/shared/api/types';
import { realtime } from '@/shared/ws/socket';
import { sendMessage } from './send';
import { TypingThrottle } from './typingStore';
import { MentionSuggest, type SuggestHandle } from './MentionSuggest';
import { useShortcodes } from './shortcodes';
import { useDraftStore } from '@/shared/stores/draftStore';
import { activeTimeout, useTimeoutStore } from '@/shared/stores/timeoutStore';
import { formatDateTime } from '@/shared/ui/format';
import { lastOwnMessageId, useEditRequest } from './keyboard';
import { MAX_ATTACHMENTS, useFileDrop, useUploads } from './attachments';
import { AttachmentTray } from './AttachmentTray';

const MAX_LEN = 4000;

interface Props {
  room: RoomSummary;
  /** For @member and #room completion. */
  group?: GroupDetail;
  replyTo: Message | null;
  onCancelReply: () => void;
  beforeSend: () => void;
}

export function Composer({ room, group, replyTo, onCancelReply, beforeSend }: Props) {
  const [text, setText] = useState(() => useDraftStore.getState().drafts[room.id] ?? '');
  const ref = useRef<HTMLTextAreaElement>(null);
  const suggest = useRef<SuggestHandle>(null);
  // Kept per room, so that a deleted room's unsent text can be shown.
  useEffect(() => useDraftStore.getState().setDraft(room.id, text), [room.id, text]);
  const throttle = useRef(new TypingThrottle(3000));
  // Files: picker, paste, drop anywhere on the room (attachments.ts).
  const files = useUploads(room.id);
  const picker = useRef<HTMLInputElement>(null);
  const addFiles = (list: File[]) => files.add(list.slice(0, Math.max(0, MAX_ATTACHMENTS - files.uploads.length)));
  const dragging = useFileDrop(addFiles);

  const stopTyping = () => {
    if (throttle.current.stop()) realtime.send({ type: 'typing', room_id: room.id, is_typing: false });
  };

  useEffect(() => {
    ref.current?.focus();
    return () => {
      if (throttle.current.stop()) realtime.send({ type: 'typing', room_id: room.id, is_typing: false });
    };
  }, [room.id]);

  useEffect(() => {
    if (replyTo) ref.current?.focus();
  }, [replyTo]);

  // Grow with the content up to a limit.
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 200)}px`;
  }, [text]);

  const submit = () => {
    const body = text.trim();
    if ((!body && files.ready.length === 0) || body.length > MAX_LEN || files.busy) return;
    beforeSend();
    void sendMessage(room.id, text, replyTo, undefined, files.ready.map((a) => a.id));
    files.clear();
    setText('');
    onCancelReply();
    stopTyping();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (suggest.current?.onKeyDown(e)) return;
    if (shortcodes.onKeyDown(e)) return;
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape' && replyTo) {
      e.preventDefault();
      onCancelReply();
    } else if (e.key === 'ArrowUp' && text === '' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      // Up in an empty composer edits one's last message (focus comes back here after).
      const last = lastOwnMessageId();
      if (last !== null) {
        e.preventDefault();
        useEditRequest.getState().request(last);
      }
    }
  };

  const shortcodes = useShortcodes(text, ref, setText);
  const timedOut = useTimedOut(group?.id);

  const onChange = (value: string) => {
    setText(value);
    if (value.trim() === '') stopTyping();
    else if (throttle.current.keystroke()) realtime.send({ type: 'typing', room_id: room.id, is_typing: true });
  };

  return (
    <form
      className="composer"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        submit();
      }}
    >
      {replyTo && (
        <div className="reply-preview" data-testid="reply-preview">
          <span>
            Replying to <strong>{senderOf(replyTo).full_name || senderOf(replyTo).username}</strong>: {replyTo.text.slice(0, 120)}
          </span>
          <button type="button" className="icon-button" aria-label="Cancel reply" onClick={onCancelReply}>
            ✕
          </button>
        </div>
      )}
      {timedOut && (
        <p className="composer-notice" role="status" data-testid="composer-timed-out">
          You are timed out until {formatDateTime(timedOut)}: you cannot send messages, react or type here until then.
        </p>
      )}
      <AttachmentTray uploads={files.uploads} onRemove={files.remove} />
      {dragging && <div className="attach-drop-hint">Drop files to attach them</div>}
      {group && <MentionSuggest ref={suggest} group={group} text={text} inputRef={ref} onReplace={(v) => onChange(v)} />}
      <div className="composer-row">
        {shortcodes.popup}
        <button type="button" className="icon-button attach-pick" aria-label="Attach files" data-testid="attach-pick" onClick={() => picker.current?.click()}>
          +
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          data-testid="attach-input"
          onChange={(e) => {
            addFiles(Array.from(e.target.files ?? []));
            e.target.value = '';
          }}
        />
        <textarea
          ref={ref}
          className="composer-input"
          data-testid="composer"
          aria-label={`Message #${room.name}`}
          placeholder={`Message #${room.name}`}
          value={text}
          rows={1}
          maxLength={MAX_LEN}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
          onPaste={(e) => {
            const pasted = Array.from(e.clipboardData.files);
            if (pasted.length) {
              e.preventDefault();
              addFiles(pasted);
            }
          }}
          onBlur={stopTyping}
          disabled={!!timedOut}
        />
        <button type="submit" className="button composer-send" aria-label="Send message" data-testid="composer-send" disabled={(!text.trim() && files.ready.length === 0) || files.busy || !!timedOut}>
          Send
        </button>
      </div>
    </form>
  );
}

/** The end of one's running timeout in the group (null when none); turns
 * null by itself when the time comes. */
function useTimedOut(groupId: number | undefined): string | null {
  const until = useTimeoutStore((s) => (groupId === undefined ? null : (s.until[groupId] ?? null)));
  const [, tick] = useState(0);
  const active = activeTimeout(until);
  useEffect(() => {
    if (!active) return;
    const t = window.setTimeout(() => tick((n) => n + 1), Math.min(Date.parse(active) - Date.now() + 50, 2 ** 31 - 1));
    return () => window.clearTimeout(t);
  }, [active]);
  return active;
}
