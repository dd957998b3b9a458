// One message row: optional date / unread divider, avatar and header
// (collapsed for consecutive messages), reply quote, text, and the actions
// reply / edit / delete as the role permits. Pending sends have their own row.

import { memo, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Id, Message } from '@/shared/api/types';
import { senderOf } from '@/shared/api/types';
import { Avatar } from '@/shared/ui/Avatar';
import { ConfirmDialog } from '@/shared/ui/Dialog';
import { formatDateTime, formatDay, formatTime } from '@/shared/ui/format';
import { errorMessage } from '@/shared/api/client';
import { useSelf } from '@/shared/api/auth';
import type { PendingMessage } from './merge';
import { deleteMessage, editMessage } from './api';
import { MessageText, mentionsUser } from './MessageText';
import { useBlockedIds } from '@/shared/api/dms';
import { useChatStore } from './store';
import { retrySend } from './send';
import { EditIcon, LinkIcon, PinIcon, ReplyIcon, SmileIcon, TrashIcon } from '@/shared/ui/icons';
import { openProfileCard } from '@/shared/stores/profileCardStore';
import { ReactionBar } from './ReactionBar';
import { AttachmentList } from './AttachmentList';
import { applyPin, keepMine, pinMessage } from './reactions';
import { useViewStore } from './viewStore';
import { focusComposer, focusSiblingMessage, messageLink, useEditRequest } from './keyboard';
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
  const [picking, setPicking] = useState(false);
  const mine = senderOf(message).id === selfId;
  const me = useSelf();
  const mentionsMe = !mine && mentionsUser(message.text, me.username);
  const blocked = useBlockedIds().has(senderOf(message).id);
  const [showBlocked, setShowBlocked] = useState(false);
  const compact =
    !showDate &&
    !showUnread &&
    !message.reply_to &&
    prev !== null &&
    senderOf(prev).id === senderOf(message).id &&
    new Date(message.created_at).getTime() - new Date(prev.created_at).getTime() < GROUP_WINDOW_MS;
  const name = senderOf(message).full_name || senderOf(message).username;
  // A deleted account (id 0) has no card.
  const openAuthor = () => {
    if (senderOf(message).id) openProfileCard(senderOf(message).id, useViewStore.getState().groupId);
  };

  const [copied, setCopied] = useState(false);
  // Where focus was when the editor opened (the composer, the Edit
  // button, the message): it goes back there when the editor closes.
  const editOrigin = useRef<HTMLElement | null>(null);
  const startEdit = () => {
    editOrigin.current = document.activeElement as HTMLElement | null;
    setDraft(message.text);
    setEditing(true);
  };
  const endEdit = () => {
    setEditing(false);
    const origin = editOrigin.current;
    requestAnimationFrame(() => (origin?.isConnected ? origin.focus() : focusComposer()));
  };
  const editRequested = useEditRequest((st) => st.requested === message.id);
  useEffect(() => {
    if (!editRequested) return;
    useEditRequest.getState().clear();
    if (mine) startEdit();
  }, [editRequested, mine]); // startEdit reads only refs and this render's props

  const copyLink = () => {
    void navigator.clipboard?.writeText(messageLink(message)).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    });
  };

  // Shortcuts on a focused message: R reply, E edit, Delete delete, C copy
  // the link, Up/Down the previous/next message.
  const onMessageKey = (e: KeyboardEvent<HTMLElement>) => {
    if (e.target !== e.currentTarget || e.altKey || e.ctrlKey || e.metaKey) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (key === 'r') onReply(message);
    else if (key === 'e' && mine) startEdit();
    else if ((key === 'Delete' || key === 'Backspace') && (mine || canModerate)) setConfirming(true);
    else if (key === 'c') copyLink();
    else if (key === 'ArrowUp' || key === 'ArrowDown') focusSiblingMessage(e.currentTarget, key === 'ArrowUp' ? -1 : 1);
    else return;
    e.preventDefault();
  };

  const saveEdit = async () => {
    const text = draft.trim();
    if (!text || text === message.text) {
      endEdit();
      return;
    }
    try {
      const updated = await editMessage(message.id, draft);
      useChatStore.getState().update(keepMine(message, updated));
      endEdit();
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
      endEdit();
      setDraft(message.text);
    }
  };

  const doDelete = async () => {
    try {
      await deleteMessage(message.id);
      useChatStore.getState().remove(message.room_id, message.id);
      setConfirming(false);
      // The message and its buttons are gone: back to writing.
      setTimeout(focusComposer, 0);
    } catch (e) {
      setError(errorMessage(e));
      setConfirming(false);
    }
  };

  return (
    <div className="message-row">
      <Dividers date={message.created_at} showDate={showDate} showUnread={showUnread} />
      <article
        className={`message${compact ? ' compact' : ''}${highlighted ? ' highlighted' : ''}${mentionsMe ? ' mentions-me' : ''}${message.pinned_at ? ' pinned' : ''}`}
        data-mentions-me={mentionsMe ? 'true' : undefined}
        data-testid="message"
        data-message-id={message.id}
        data-sender={senderOf(message).username}
        data-mine={mine ? 'true' : undefined}
        aria-label={`${name}, ${formatDateTime(message.created_at)}`}
        aria-keyshortcuts="R E Delete C ArrowUp ArrowDown"
        tabIndex={0}
        onKeyDown={onMessageKey}
      >
        <div className="message-gutter">
          {compact ? (
            <time className="message-time-compact" dateTime={message.created_at}>
              {formatTime(message.created_at)}
            </time>
          ) : (
            <button type="button" className="avatar-button" aria-label={`Profile of ${name}`} data-testid="message-avatar" onClick={openAuthor}>
              <Avatar url={senderOf(message).icon_url} name={name} size={40} />
            </button>
          )}
        </div>
        <div className="message-main">
          {message.reply_to && <ReplyQuote quote={message.reply_to} onJump={onJump} />}
          {!compact && (
            <div className="message-header">
              <button type="button" className="message-author author-button" data-testid="message-author" onClick={openAuthor}>
                {name}
              </button>
              {message.pinned_at && (
                <span className="pinned-mark" title="Pinned" data-testid="pinned-mark">
                  <PinIcon size={12} />
                </span>
              )}
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
          ) : blocked && !showBlocked ? (
            <div className="message-text blocked-message" data-testid="blocked-message">
              <span className="muted">Message from a user you blocked. </span>
              <button type="button" className="link-button" onClick={() => setShowBlocked(true)} data-testid="blocked-show">
                Show
              </button>
            </div>
          ) : (
            <div className="message-text" data-testid="message-text">
              <MessageText text={message.text} rooms={message.rooms} />
              {message.edited_at && (
                <span className="edited" title={formatDateTime(message.edited_at)}>
                  {' '}
                  (edited)
                </span>
              )}
            </div>
          )}
          <AttachmentList attachments={message.attachments ?? []} />
          <ReactionBar message={message} selfId={selfId} picking={picking} setPicking={setPicking} />
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
          <button type="button" className="icon-button" aria-label="Add reaction" title="Add reaction" data-testid="message-react" onClick={() => setPicking(!picking)}>
            <SmileIcon />
          </button>
          {canModerate && (
            <button
              type="button"
              className="icon-button"
              aria-label={message.pinned_at ? 'Unpin message' : 'Pin message'}
              title={message.pinned_at ? 'Unpin' : 'Pin'}
              data-testid="message-pin"
              onClick={() =>
                pinMessage(message.id, !message.pinned_at).then(
                  (m) => applyPin(m),
                  (e) => setError(errorMessage(e)),
                )
              }
            >
              <PinIcon />
            </button>
          )}
          {mine && (
            <button
              type="button"
              className="icon-button"
              aria-label="Edit message"
              title="Edit"
              data-testid="message-edit"
              onClick={startEdit}
            >
              <EditIcon />
            </button>
          )}
          <button type="button" className="icon-button" aria-label={copied ? 'Link copied' : 'Copy link to message'} title={copied ? 'Copied!' : 'Copy link'} data-testid="message-copy-link" onClick={copyLink}>
            <LinkIcon />
          </button>
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
