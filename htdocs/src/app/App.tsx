// Routes and providers. Everything needed to chat is in the first chunk;
// the screens a signed-in first screen never shows (log-in, sign-up,
// password reset, invite, directory, settings, search, mentions, the crop
// dialog) are lazy chunks, the one of the page being opened fetched at
// once, beside the session check.

import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useSearchParams } from 'react-router-dom';
import { QueryClientProvider } from '@tanstack/react-query';
import { setUnauthorizedHandler } from '@/shared/api/client';
import { dropEarly } from '@/shared/api/early';
import { LandingPage } from '@/features/auth/LandingPage';
import { meKey, useMe } from '@/shared/api/auth';
import { GroupView } from '@/app/GroupView';
import { DmView } from '@/app/DmView';
import { useGroups } from '@/shared/api/groups';
import type { User } from '@/shared/api/types';
import { queryClient } from './queryClient';
import { AppShell } from './AppShell';
import { prefetchFirstScreen } from './prefetch';

// Before the first render: the first screen's requests go out together
// (taking the answers index.html asked for early; the rest are dropped).
prefetchFirstScreen(queryClient);
dropEarly();

// Loaders of the lazy chunks that are routes of their own (a module's
// import() promise is shared, so starting one early costs nothing later).
const authPages = () => import('@/features/auth/AuthPages');
const resetPages = () => import('@/features/auth/ResetPages');
const verifyPage = () => import('@/features/auth/VerifyEmail');
const invitePage = () => import('@/features/invites/InvitePage');
const directoryPage = () => import('@/features/directory/DirectoryPage');

const LoginPage = lazy(() => authPages().then((m) => ({ default: m.LoginPage })));
const SignupPage = lazy(() => authPages().then((m) => ({ default: m.SignupPage })));
const ForgotPasswordPage = lazy(() => resetPages().then((m) => ({ default: m.ForgotPasswordPage })));
const ResetPasswordPage = lazy(() => resetPages().then((m) => ({ default: m.ResetPasswordPage })));
const VerifyEmailPage = lazy(() => verifyPage().then((m) => ({ default: m.VerifyEmailPage })));
const InvitePage = lazy(() => invitePage().then((m) => ({ default: m.InvitePage })));
const DirectoryPage = lazy(() => directoryPage().then((m) => ({ default: m.DirectoryPage })));

// Opened at one of them: its chunk travels with the session check instead
// of after it.
const START: [RegExp, () => Promise<unknown>][] = [
  [/^\/(login|signup)\/?$/, authPages],
  [/^\/(forgot-password|reset-password)\/?$/, resetPages],
  [/^\/verify-email\/?$/, verifyPage],
  [/^\/invite\//, invitePage],
  [/^\/directory\/?$/, directoryPage],
];
for (const [path, load] of START) if (path.test(window.location.pathname)) void load();

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
          <Route path="/login" element={<GuestOnly>{lazyEl(<LoginPage />)}</GuestOnly>} />
          <Route path="/signup" element={<GuestOnly>{lazyEl(<SignupPage />)}</GuestOnly>} />
          <Route path="/forgot-password" element={<GuestOnly>{lazyEl(<ForgotPasswordPage />)}</GuestOnly>} />
          <Route path="/reset-password" element={lazyEl(<ResetPasswordPage />)} />
          <Route path="/verify-email" element={lazyEl(<VerifyEmailPage />)} />
          <Route path="/invite/:code" element={lazyEl(<InvitePage />)} />
          <Route element={<RequireAuth><AppShell /></RequireAuth>}>
            <Route index element={<Home />} />
            <Route path="directory" element={lazyEl(<DirectoryPage />)} />
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
