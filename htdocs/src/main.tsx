// Entry point: theme tokens, global styles, the app.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { applyTheme } from '@/shared/theme/tokens';
import { trackViewportHeight } from '@/shared/ui/viewport';
import '@/shared/theme/global.css';
import '@/shared/theme/dms.css';
import { App } from '@/app/App';

applyTheme();
trackViewportHeight();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
