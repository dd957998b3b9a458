// The signed-in frame: the group rail and the routed screen; owns the one
// websocket connection and feeds its events to the stores.

import { useEffect, useRef, useState } from 'react';
import { Outlet, useMatch, useNavigate } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { realtime, type SocketStatus } from '@/shared/ws/socket';
import { fetchMe, useSelf } from '@/shared/api/auth';
import { GroupRail } from '@/features/groups/GroupRail';
import { LostNoticeBar } from '@/shared/ui/LostNoticeBar';
import { useLayoutStore } from '@/shared/stores/layoutStore';
import { PanelBackdrop, PanelToggle } from '@/shared/ui/Panels';
import { MenuIcon } from '@/shared/ui/icons';
import { resetRealtimeState } from './resetState';
import { handleServerEvent, resyncAll, type RealtimeContext } from './realtime';
import { resendFailed } from '@/features/chat/send';
import { NotificationsHost } from '@/features/notifications/NotificationsHost';
import { VerifyBanner } from '@/features/auth/VerifyBanner';

function useRealtime() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  // The router hands out a new navigate() on every location change; the
  // connection must not follow it (one socket per signed-in session), so
  // the effect below reads it through a ref.
  const navigateRef = useRef(navigate);
  navigateRef.current = navigate;
  const me = useSelf();
  const selfId = useRef(me.id);
  selfId.current = me.id;
  const groupMatch = useMatch('/g/:groupId/*');
  const currentGroup = useRef<number | null>(null);
  currentGroup.current = groupMatch ? Number(groupMatch.params.groupId) : null;
  const [status, setStatus] = useState<SocketStatus>(realtime.currentStatus);

  useEffect(() => {
    const ctx: RealtimeContext = {
      qc,
      selfId: () => selfId.current,
      open: (path) => navigateRef.current(path),
      leaveGroup: (gid) => {
        if (currentGroup.current === gid) navigateRef.current('/directory', { replace: true });
      },
    };
    const offEvent = realtime.onEvent((ev) => handleServerEvent(ev, ctx));
    // First connect too: messages may have been posted between the REST
    // load and the socket being up.
    const offConnected = realtime.onConnected(() => {
      void resyncAll(ctx);
      // Sends that failed while we were cut off go out again, same nonce.
      void resendFailed();
    });
    const offStatus = realtime.onStatus(setStatus);
    // Before reconnecting, make sure the session is alive (this also
    // refreshes an expired access cookie); signed out → stop and log in.
    realtime.setBeforeReconnect(async () => {
      const user = await fetchMe();
      if (!user) {
        qc.setQueryData(['me'], null);
        return false;
      }
      return true;
    });
    realtime.start();
    const online = () => {
      realtime.reconnectNow();
      void resendFailed();
    };
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      offEvent();
      offConnected();
      offStatus();
      realtime.stop();
    };
  }, [qc]);

  return status;
}

export function AppShell() {
  const status = useRealtime();
  // The phone layout's open panel (drawer or sheet), for the CSS.
  const panel = useLayoutStore((s) => s.panel);
  return (
    <div className="shell" data-panel={panel ?? 'none'}>
      <GroupRail onSignedOut={resetRealtimeState} />
      <div className="shell-main">
        <PanelToggle panel="nav" label="Open navigation" className="nav-toggle">
          <MenuIcon size={22} />
        </PanelToggle>
        {status === 'reconnecting' && (
          <div className="connection-banner" role="status" data-testid="connection-status" data-status={status}>
            Connection lost — reconnecting…
          </div>
        )}
        <VerifyBanner />
        <LostNoticeBar />
        <Outlet />
      </div>
      <PanelBackdrop />
      <NotificationsHost />
    </div>
  );
}
