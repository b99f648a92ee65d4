import { useRef, useState } from 'preact/hooks';
import type { JSX } from 'preact';

interface Question {
  readonly message: string;
  readonly action: string;
  readonly resolve: (yes: boolean) => void;
}

/**
 * An in-page confirmation (a modal `<dialog>`: focus moves into it, Escape cancels) before anything
 * that ends sessions. `ask` answers whether the person confirmed.
 */
export function useConfirm(): [JSX.Element, (message: string, action: string) => Promise<boolean>] {
  const [question, setQuestion] = useState<Question | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  const ask = (message: string, action: string) =>
    new Promise<boolean>((resolve) => {
      setQuestion({ message, action, resolve });
      dialog.current?.showModal();
    });
  const answer = (yes: boolean) => {
    dialog.current?.close();
    question?.resolve(yes);
    setQuestion(null);
  };
  const element = (
    <dialog ref={dialog} class="confirm" aria-labelledby="confirm-message" onCancel={() => answer(false)}>
      <p id="confirm-message">{question?.message}</p>
      <div class="actions">
        <button type="button" onClick={() => answer(false)} autofocus>
          Cancel
        </button>
        <button type="button" class="danger" onClick={() => answer(true)}>
          {question?.action}
        </button>
      </div>
    </dialog>
  );
  return [element, ask];
}
