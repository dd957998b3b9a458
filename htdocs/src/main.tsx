// Entry point: theme tokens, global styles, the app.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { applyTheme } from '@/shared/theme/tokens';
import '@/shared/theme/global.css';
import '@/shared/theme/dms.css';
import { App } from '@/app/App';

applyTheme();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
