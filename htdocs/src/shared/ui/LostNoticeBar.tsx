// The notice that the room or group one was in has been deleted, with the
// unsent text kept (copy it, or dismiss).

import { useDraftStore } from '@/shared/stores/draftStore';
import { copyText } from '@/shared/ui/InviteDialog';
import './LostNoticeBar.css';

export function LostNoticeBar() {
  const notice = useDraftStore((s) => s.notice);
  const dismiss = useDraftStore((s) => s.dismiss);
  if (!notice) return null;
  return (
    <div className="connection-banner lost-notice" role="alert" data-testid="lost-notice">
      <span>{notice.text}</span>
      {notice.draft && (
        <>
          <span> Your unsent message is kept:</span>
          <textarea className="lost-draft" readOnly value={notice.draft} aria-label="Your unsent message" data-testid="lost-draft" rows={2} />
          <button type="button" className="link-button" onClick={() => void copyText(notice.draft)}>
            Copy
          </button>
        </>
      )}
      <button type="button" className="link-button" onClick={dismiss} data-testid="lost-dismiss">
        Dismiss
      </button>
    </div>
  );
}
