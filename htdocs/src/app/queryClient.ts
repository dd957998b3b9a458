// The TanStack Query client: REST data cache.

import { QueryClient } from '@tanstack/react-query';
import { isApiError } from '@/shared/api/client';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      retry: (count, error) => {
        // 4xx answers won't change on retry.
        if (isApiError(error) && error.status >= 400 && error.status < 500) return false;
        return count < 2;
      },
    },
  },
});
