// FormStatus — the error (role=alert) and success (role=status) lines
// under a form; renders nothing for empty strings.
interface Props {
  error?: string;
  ok?: string;
}

export function FormStatus({ error, ok }: Props) {
  return (
    <>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {ok ? (
        <p className="form-ok" role="status">
          {ok}
        </p>
      ) : null}
    </>
  );
}
