// Routes and providers. Settings, group settings, search and the crop
// dialog are lazy chunks; everything needed to chat is in the first one.

import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useSearchParams } from 'react-router-dom';
import { QueryClientProvider } from '@tanstack/react-query';
import { setUnauthorizedHandler } from '@/shared/api/client';
import { LoginPage, SignupPage } from '@/features/auth/AuthPages';
import { LandingPage } from '@/features/auth/LandingPage';
import { ForgotPasswordPage, ResetPasswordPage } from '@/features/auth/ResetPages';
import { meKey, useMe } from '@/shared/api/auth';
import { InvitePage } from '@/features/invites/InvitePage';
import { DirectoryPage } from '@/features/directory/DirectoryPage';
import { GroupView } from '@/app/GroupView';
import { DmView } from '@/app/DmView';
import { useGroups } from '@/shared/api/groups';
import type { User } from '@/shared/api/types';
import { queryClient } from './queryClient';
import { AppShell } from './AppShell';
import { prefetchFirstScreen } from './prefetch';

// Before the first render: the first screen's requests go out together.
prefetchFirstScreen(queryClient);

const SettingsPage = lazy(() => import('@/features/settings/SettingsPage'));
const NotificationPrefs = lazy(() => import('@/features/notifications/NotificationPrefs'));
const GroupSettingsPage = lazy(() => import('@/features/settings/GroupSettingsPage'));
const SearchPage = lazy(() => import('@/features/search/SearchPage'));
const OpenMessage = lazy(() => import('@/features/search/OpenMessage'));
const MentionsPage = lazy(() => import('@/features/dms/MentionsPage'));

function Loading() {
  return (
    <div className="pane-loading" aria-busy="true">
      Loading…
    </div>
  );
}

function RequireAuth({ children }: { children: ReactNode }) {
  const { data: me, isLoading, error } = useMe();
  const location = useLocation();
  if (isLoading) return <Loading />;
  if (error) return <div className="pane-empty" role="alert">Cannot reach the server. Retrying…</div>;
  // Signed out at `/`: the landing page; anywhere else: log in, then back.
  if (!me && location.pathname === '/') return <LandingPage />;
  if (!me) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return <>{children}</>;
}

function GuestOnly({ children }: { children: ReactNode }) {
  const { data: me, isLoading } = useMe();
  const [params] = useSearchParams();
  if (isLoading) return <Loading />;
  if (me) {
    const next = params.get('next');
    return <Navigate to={next && next.startsWith('/') && !next.startsWith('//') ? next : '/'} replace />;
  }
  return <>{children}</>;
}

function Home() {
  const { data: groups, isLoading } = useGroups();
  if (isLoading) return <Loading />;
  if (groups && groups.length > 0) return <Navigate to={`/g/${groups[0].id}`} replace />;
  return <Navigate to="/directory" replace />;
}

function NotFound() {
  return <div className="pane-empty">Nothing here.</div>;
}

const lazyEl = (el: ReactNode) => <Suspense fallback={<Loading />}>{el}</Suspense>;

export function App() {
  useEffect(() => {
    // Any 401 means the session is gone: RequireAuth then sends us to log in.
    setUnauthorizedHandler(() => {
      queryClient.setQueryData<User | null>(meKey, null);
    });
    return () => setUnauthorizedHandler(null);
  }, []);

  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Routes>
          <Route path="/login" element={<GuestOnly><LoginPage /></GuestOnly>} />
          <Route path="/signup" element={<GuestOnly><SignupPage /></GuestOnly>} />
          <Route path="/forgot-password" element={<GuestOnly><ForgotPasswordPage /></GuestOnly>} />
          <Route path="/reset-password" element={<ResetPasswordPage />} />
          <Route path="/invite/:code" element={<InvitePage />} />
          <Route element={<RequireAuth><AppShell /></RequireAuth>}>
            <Route index element={<Home />} />
            <Route path="directory" element={<DirectoryPage />} />
            <Route path="g/:groupId" element={<GroupView />} />
            <Route path="g/:groupId/r/:roomId" element={<GroupView />} />
            <Route path="g/:groupId/settings" element={lazyEl(<GroupSettingsPage />)} />
            <Route path="dm" element={<DmView />} />
            <Route path="dm/:groupId" element={<DmView />} />
            <Route path="mentions" element={lazyEl(<MentionsPage />)} />
            <Route path="settings" element={lazyEl(<SettingsPage extra={<NotificationPrefs />} />)} />
            <Route path="search" element={lazyEl(<SearchPage />)} />
            <Route path="room/:roomId" element={lazyEl(<OpenMessage />)} />
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
