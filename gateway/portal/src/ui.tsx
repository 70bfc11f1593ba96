import type { ComponentChildren, PartialInputHTMLAttributes } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { GatewayError } from '../../sdk/gateway-client';

/** A chain address (a hospital, doctor or guardian) and a relationship's code (a handle), as people paste them. */
export const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
export const HANDLE = /^0x[0-9a-fA-F]{64}$/;

/** Plain-language words for the gateway's error codes a person meets in the portal. */
const PLAIN: Record<string, string> = {
  CONSENT_REQUIRED: 'The patient has not given you consent to read this record.',
  CONSENT_REVOKED: 'The patient revoked the consent that let you read this record.',
  CONSENT_EXPIRED: 'The consent that let you read this record has expired.',
  CONSENT_CATEGORY_NOT_COVERED: 'The consent does not cover this kind of record.',
  CONSENT_PURPOSE_NOT_COVERED: 'The consent does not cover the purpose you gave.',
  CONSENT_DATE_NOT_COVERED: 'The consent does not cover the date of care of this record.',
  CONSENT_RECORD_NOT_COVERED: 'The consent names other records, not this one.',
  CONSENT_NOT_IN_FORCE: 'The consent is not in force: your hospital may be suspended, or the patient recovered their keys since.',
  CONSENT_CHANGED_ELSEWHERE: 'The patient changed this consent through another member; it counts here once they grant it here again.',
  PRESCRIPTIONS_ONLY: 'A pharmacist reads prescriptions only.',
  CODE_INVALID: 'That code is wrong, expired or used. Ask for a new one.',
  IDENTITY_MISMATCH: 'These details do not match the Aadhaar record.',
  VERIFICATIONS_RATE_LIMITED: 'Too many tries for this number this hour. Try again later.',
  DEPENDENCY_UNAVAILABLE: 'The service is briefly unavailable. Nothing was lost; try again in a minute.',
  FILING_TOKEN_MALFORMED: 'That is not a filing token. Ask the patient to show it again: Hospitals and records, "Show my filing token".',
  FILING_TOKEN_EXPIRED: 'That filing token has expired. Ask the patient for a new one.',
  FILING_TOKEN_OTHER_HOSPITAL: 'That filing token was given to another hospital. Ask the patient for one for your hospital.',
  FILING_TOKEN_SIGNATURE: "That filing token is not signed by the patient's key for your hospital. Ask the patient for a new one.",
  HOSPITAL_NOT_ADMITTED: "The consortium's authorities have not admitted your hospital: it cannot file records yet.",
  HOSPITAL_SUSPENDED: "The consortium's authorities have suspended your hospital: it cannot file records until they reinstate it.",
  NOT_A_FILING_HOSPITAL: 'Your account works at no hospital that files records. Ask your administrator.',
  ATTACHMENT_TYPE_NOT_ALLOWED: 'Only PDF, JPEG, PNG, TIFF and DICOM files, or FHIR JSON, can be filed.',
};

/** What to tell a person about an error: plain words for known codes, the gateway's message otherwise. */
export function explain(error: unknown): { code?: string; text: string } {
  if (error instanceof GatewayError) {
    const message = error.message.replace(/^[A-Z_]+: /, '');
    if (error.code === 'UNAUTHENTICATED' && /expired token/.test(message)) return { code: error.code, text: 'Your session has ended: sign out and sign in again.' };
    return { code: error.code, text: PLAIN[error.code] ?? message };
  }
  return { text: error instanceof Error ? error.message : String(error) };
}

export function Alert({ error }: { error: unknown }) {
  if (!error) return null;
  const { code, text } = explain(error);
  return (
    <div class="alert" role="alert">
      {text}
      {code && <span class="muted"> (code {code})</span>}
    </div>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return <div class="notice" role="status">{children}</div>;
}

type InputProps = Omit<PartialInputHTMLAttributes<HTMLInputElement>, 'label' | 'onInput' | 'value' | 'type' | 'list'> & { type?: string; list?: string; label: string; hint?: string; value: string; onValue(value: string): void };

/** A labelled input, its hint tied to it for screen readers. */
export function Field({ label, hint, value, onValue, ...rest }: InputProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && <span class="hint" id={`${id}-hint`}>{hint}</span>}
      <input id={id} aria-describedby={hint ? `${id}-hint` : undefined} value={value} onInput={(e) => onValue((e.target as HTMLInputElement).value)} {...(rest as object)} />
    </div>
  );
}

/**
 * A form whose submit runs `action`: the button says it is busy, an error shows above it and is
 * announced; nothing runs twice at once.
 */
export function ActionForm({ action, submit, children, danger }: { action(): Promise<void>; submit: string; children?: ComponentChildren; danger?: boolean }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={onSubmit} aria-busy={busy}>
      {children}
      <Alert error={error} />
      <button type="submit" disabled={busy} class={danger ? 'danger' : undefined}>{busy ? 'Working…' : submit}</button>
    </form>
  );
}

/** Loads `load()` when `deps` change; shows an error with a retry. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: unknown; reload(): void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const current = useRef(0);
  useEffect(() => {
    const run = ++current.current;
    setError(null);
    load().then((value) => run === current.current && setData(value), (caught) => run === current.current && setError(caught));
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}

export function Loaded<T>({ state, children, empty }: { state: { data: T | undefined; error: unknown }; children(data: T): ComponentChildren; empty?: string }) {
  if (state.error) return <Alert error={state.error} />;
  if (state.data === undefined) return <p class="muted" role="status">Loading…</p>;
  if (empty && Array.isArray(state.data) && state.data.length === 0) return <p class="muted">{empty}</p>;
  return <>{children(state.data)}</>;
}

/** Tabs as WAI-ARIA describes them: arrow keys move between tabs, one panel shows. */
export function Tabs({ tabs, label, selected: chosen, onSelect }: {
  tabs: { id: string; title: string; panel: () => ComponentChildren }[];
  label: string;
  /** To select a tab from outside (a banner's link); otherwise the tabs keep their own choice. */
  selected?: string;
  onSelect?(id: string): void;
}) {
  const [own, setOwn] = useState(tabs[0]!.id);
  const selected = chosen ?? own;
  const setSelected = (id: string) => {
    setOwn(id);
    onSelect?.(id);
  };
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const move = (event: KeyboardEvent, index: number) => {
    const next = event.key === 'ArrowRight' ? index + 1 : event.key === 'ArrowLeft' ? index - 1 : null;
    if (next === null) return;
    const tab = tabs[(next + tabs.length) % tabs.length]!;
    setSelected(tab.id);
    refs.current[tab.id]?.focus();
  };
  const active = tabs.find((tab) => tab.id === selected) ?? tabs[0]!;
  return (
    <>
      <div class="tabs" role="tablist" aria-label={label}>
        {tabs.map((tab, index) => (
          <button type="button" role="tab" id={`tab-${tab.id}`} aria-controls={`panel-${tab.id}`} aria-selected={tab.id === active.id} tabIndex={tab.id === active.id ? 0 : -1}
            ref={(el) => { refs.current[tab.id] = el; }} onClick={() => setSelected(tab.id)} onKeyDown={(e) => move(e, index)}>
            {tab.title}
          </button>
        ))}
      </div>
      <section role="tabpanel" id={`panel-${active.id}`} aria-labelledby={`tab-${active.id}`} tabIndex={0}>
        {active.panel()}
      </section>
    </>
  );
}

export const when = (iso: string | number | Date | null | undefined): string =>
  iso === null || iso === undefined ? '—' : new Date(typeof iso === 'number' ? iso * 1000 : iso).toLocaleString('en-IN', { dateStyle: 'medium', timeStyle: 'short' });

export const day = (unixSeconds: number): string => new Date(unixSeconds * 1000).toLocaleDateString('en-IN', { dateStyle: 'medium' });

/** An address shortened for reading, whole for screen readers and on hover. */
export function Address({ value, name }: { value: string; name?: string | null }) {
  return (
    <span title={value}>
      {name ? `${name} ` : ''}
      <span aria-label={value} class="muted">{`${value.slice(0, 6)}…${value.slice(-4)}`}</span>
    </span>
  );
}

export const Status = ({ value }: { value: string }) => <span class={`status ${value}`}>{value}</span>;
