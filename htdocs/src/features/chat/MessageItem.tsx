// One message row: optional date / unread divider, avatar and header
// (collapsed for consecutive messages), reply quote, text, and the actions
// reply / edit / delete as the role permits. Pending sends have their own row.

import { memo, useState, type KeyboardEvent } from 'react';
import type { Id, Message } from '@/shared/api/types';
import { senderOf } from '@/shared/api/types';
import { Avatar } from '@/shared/ui/Avatar';
import { ConfirmDialog } from '@/shared/ui/Dialog';
import { formatDateTime, formatDay, formatTime } from '@/shared/ui/format';
import { errorMessage } from '@/shared/api/client';
import { useSelf } from '@/shared/api/auth';
import type { PendingMessage } from './merge';
import { deleteMessage, editMessage } from './api';
import { useChatStore } from './store';
import { retrySend } from './send';
import { EditIcon, ReplyIcon, TrashIcon } from '@/shared/ui/icons';
import { ReplyQuote } from './ReplyQuote';

const GROUP_WINDOW_MS = 5 * 60_000;

interface Props {
  message: Message;
  prev: Message | null;
  showDate: boolean;
  showUnread: boolean;
  highlighted: boolean;
  selfId: Id;
  canModerate: boolean;
  onReply: (m: Message) => void;
  onJump: (id: Id) => void;
}

function Dividers({ date, showDate, showUnread }: { date: string; showDate: boolean; showUnread: boolean }) {
  return (
    <>
      {showDate && (
        <div className="date-divider" role="separator" data-testid="date-divider">
          <span>{formatDay(date)}</span>
        </div>
      )}
      {showUnread && (
        <div className="unread-divider" role="separator" data-testid="unread-divider">
          <span>New messages</span>
        </div>
      )}
    </>
  );
}

export const MessageItem = memo(function MessageItem({ message, prev, showDate, showUnread, highlighted, selfId, canModerate, onReply, onJump }: Props) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(message.text);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState('');
  const mine = senderOf(message).id === selfId;
  const compact =
    !showDate &&
    !showUnread &&
    !message.reply_to &&
    prev !== null &&
    senderOf(prev).id === senderOf(message).id &&
    new Date(message.created_at).getTime() - new Date(prev.created_at).getTime() < GROUP_WINDOW_MS;
  const name = senderOf(message).full_name || senderOf(message).username;

  const saveEdit = async () => {
    const text = draft.trim();
    if (!text || text === message.text) {
      setEditing(false);
      return;
    }
    try {
      const updated = await editMessage(message.id, draft);
      useChatStore.getState().update(updated);
      setEditing(false);
      setError('');
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const onEditKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void saveEdit();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setEditing(false);
      setDraft(message.text);
    }
  };

  const doDelete = async () => {
    try {
      await deleteMessage(message.id);
      useChatStore.getState().remove(message.room_id, message.id);
      setConfirming(false);
    } catch (e) {
      setError(errorMessage(e));
      setConfirming(false);
    }
  };

  return (
    <div className="message-row">
      <Dividers date={message.created_at} showDate={showDate} showUnread={showUnread} />
      <article
        className={`message${compact ? ' compact' : ''}${highlighted ? ' highlighted' : ''}`}
        data-testid="message"
        data-message-id={message.id}
        data-sender={senderOf(message).username}
        aria-label={`${name}, ${formatDateTime(message.created_at)}`}
        tabIndex={-1}
      >
        <div className="message-gutter">
          {compact ? (
            <time className="message-time-compact" dateTime={message.created_at}>
              {formatTime(message.created_at)}
            </time>
          ) : (
            <Avatar url={senderOf(message).icon_url} name={name} size={40} />
          )}
        </div>
        <div className="message-main">
          {message.reply_to && <ReplyQuote quote={message.reply_to} onJump={onJump} />}
          {!compact && (
            <div className="message-header">
              <span className="message-author">{name}</span>
              <time className="message-time" dateTime={message.created_at} title={formatDateTime(message.created_at)}>
                {formatTime(message.created_at)}
              </time>
            </div>
          )}
          {editing ? (
            <div className="message-edit">
              <textarea
                aria-label="Edit message"
                data-testid="message-edit-input"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                onKeyDown={onEditKey}
                maxLength={4000}
                autoFocus
                rows={Math.min(8, draft.split('\n').length + 1)}
              />
              <small className="muted">Enter to save · Escape to cancel</small>
            </div>
          ) : (
            <div className="message-text" data-testid="message-text">
              {message.text}
              {message.edited_at && (
                <span className="edited" title={formatDateTime(message.edited_at)}>
                  {' '}
                  (edited)
                </span>
              )}
            </div>
          )}
          {error && (
            <div className="form-error" role="alert">
              {error}
            </div>
          )}
        </div>
        <div className="message-actions" role="toolbar" aria-label="Message actions">
          <button type="button" className="icon-button" aria-label="Reply" title="Reply" data-testid="message-reply" onClick={() => onReply(message)}>
            <ReplyIcon />
          </button>
          {mine && (
            <button
              type="button"
              className="icon-button"
              aria-label="Edit message"
              title="Edit"
              data-testid="message-edit"
              onClick={() => {
                setDraft(message.text);
                setEditing(true);
              }}
            >
              <EditIcon />
            </button>
          )}
          {(mine || canModerate) && (
            <button type="button" className="icon-button danger" aria-label="Delete message" title="Delete" data-testid="message-delete" onClick={() => setConfirming(true)}>
              <TrashIcon />
            </button>
          )}
        </div>
      </article>
      {confirming && (
        <ConfirmDialog title="Delete message" message="Delete this message? This cannot be undone." confirmLabel="Delete" onConfirm={doDelete} onClose={() => setConfirming(false)} />
      )}
    </div>
  );
});

export function PendingItem({ pending }: { pending: PendingMessage }) {
  const me = useSelf();
  const name = me.profile.full_name || me.username;
  const failed = pending.status === 'failed';
  return (
    <div className="message-row">
      <article
        className={`message pending${failed ? ' failed' : ''}`}
        data-testid="message-pending"
        data-nonce={pending.nonce}
        data-status={pending.status}
        aria-label={failed ? 'Message not sent' : 'Sending message'}
      >
        <div className="message-gutter">
          <Avatar url={me.profile.icon_url} name={name} size={40} />
        </div>
        <div className="message-main">
          <div className="message-header">
            <span className="message-author">{name}</span>
            <span className="message-time">{failed ? 'Not sent' : 'Sending…'}</span>
          </div>
          <div className="message-text">{pending.text}</div>
          {failed && (
            <div className="pending-actions" role="alert">
              <span className="form-error">{pending.error ?? 'Failed to send.'}</span>
              <button type="button" className="link-button" data-testid="message-retry" onClick={() => void retrySend(pending.room_id, pending.nonce)}>
                Retry
              </button>
              <button type="button" className="link-button" data-testid="message-discard" onClick={() => useChatStore.getState().dropPending(pending.room_id, pending.nonce)}>
                Discard
              </button>
            </div>
          )}
        </div>
      </article>
    </div>
  );
}
