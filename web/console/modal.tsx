import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** A modal dialog: focus moves into it, Escape or Close ends it (onClose), focus returns where it was. */
export function Modal(props: { title: string; id: string; onClose: () => void; children: ComponentChildren; wide?: boolean; testId?: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    const before = document.activeElement as HTMLElement | null;
    element?.showModal();
    return () => {
      element?.close();
      before?.focus();
    };
  }, []);
  return (
    <dialog ref={dialog} class={`modal${props.wide ? ' modal-wide' : ''}`} aria-labelledby={`${props.id}-title`} onClose={props.onClose} data-testid={props.testId}>
      <div class="modal-head">
        <h2 id={`${props.id}-title`}>{props.title}</h2>
        <button type="button" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
      {props.children}
    </dialog>
  );
}

/** A field's problems under it, for screen readers too (the input names this list in aria-describedby). */
export function Problems(props: { id: string; messages: readonly string[] | undefined }) {
  if (!props.messages || props.messages.length === 0) return null;
  return (
    <ul class="field-problems" id={props.id}>
      {props.messages.map((m) => (
        <li key={m}>{m}</li>
      ))}
    </ul>
  );
}

/** aria attributes of an input with these problems (listed at `problemsId`) and an optional hint. */
export function invalid(problemsId: string, messages: readonly string[] | undefined, hintId?: string) {
  const failing = messages !== undefined && messages.length > 0;
  const describedBy = [...(failing ? [problemsId] : []), ...(hintId ? [hintId] : [])].join(' ');
  return { ...(failing ? { 'aria-invalid': true } : {}), ...(describedBy ? { 'aria-describedby': describedBy } : {}) };
}
