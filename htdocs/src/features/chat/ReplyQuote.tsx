// The quote above a reply: the replied message's text, a jump to it, or
// "Original message deleted" once it is gone (live, or as the server says).

import type { Id, Message } from '@/shared/api/types';

type Quote = NonNullable<Message['reply_to']>;

/** True when the quoted message no longer exists (older servers send text null only). */
export function quoteDeleted(q: Quote): boolean {
  return q.deleted === true || q.text === null;
}

export function ReplyQuote({ quote, onJump }: { quote: Quote; onJump: (id: Id) => void }) {
  if (quoteDeleted(quote)) {
    return (
      <div className="reply-quote deleted" data-testid="reply-quote" data-deleted="true">
        Original message deleted
      </div>
    );
  }
  return (
    <button type="button" className="reply-quote" onClick={() => onJump(quote.id)} data-testid="reply-quote" aria-label="Go to the replied message">
      <span aria-hidden="true">↪ </span>
      {quote.text}
    </button>
  );
}
