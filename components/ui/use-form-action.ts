"use client";

import { startTransition, useActionState, useEffect, useRef, type FormEvent } from "react";

/**
 * useActionState for a form that keeps what was typed when the action refuses it (React resets
 * forms submitted through the action prop); the form is cleared only after a success, if asked.
 */
export function useFormAction<S extends { status: string }>(
  action: (prev: Awaited<S>, form: FormData) => S | Promise<S>,
  initial: Awaited<S>,
  { resetOnSuccess = false } = {},
) {
  const [state, dispatch, pending] = useActionState<S, FormData>(action, initial);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (resetOnSuccess && state.status === "ok") formRef.current?.reset();
  }, [state, resetOnSuccess]);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    // The pressed button's name and value go with the fields, as a native submit sends them.
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const data = new FormData(event.currentTarget, submitter instanceof HTMLButtonElement && submitter.name ? submitter : null);
    startTransition(() => dispatch(data));
  };
  // method "post": a submit before hydration goes out natively, and a GET would put every field
  // (passwords, tokens, keys) in the URL.
  return { state, pending, formProps: { ref: formRef, onSubmit, method: "post" as const } };
}
