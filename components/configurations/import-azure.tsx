"use client";

import { useId, useState } from "react";
import { importFromAzure, MAX_AZURE_IMPORT_BYTES, type ImportedConfiguration, type ImportNote } from "@/lib/import/azure";
import { formatBytes } from "@/lib/validation/rules";
import type { Draft } from "./draft";
import { draftFromImport } from "./import-azure-draft";

type Props = {
  current: Draft;
  allowLocalSources: boolean;
  /** Replaces the wizard's draft; `errors` are the wizard's own checks of what was imported. */
  onImport: (draft: Draft, errors: Record<string, string>) => void;
};

const describe = (c: ImportedConfiguration) =>
  `${c.azureName || "(name is an ARM expression)"} (${c.azureKind === "fluxConfiguration" ? "Flux configuration" : "Flux v1 source control configuration"}${c.cluster ? `, cluster ${c.cluster}` : ""})`;

function Notes({ label, notes }: { label: string; notes: ImportNote[] }) {
  if (notes.length === 0) return null;
  return (
    <div>
      <h4 className="text-sm font-semibold">{label}</h4>
      <ul aria-label={label} className="list-disc pl-5 text-sm">
        {notes.map((note) => (
          <li key={`${note.field}:${note.why}`}>
            <code className="font-mono text-xs">{note.field}</code>: {note.why}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** "Import from Azure": what `az k8s-configuration flux show` or an ARM export prints fills the wizard. Parsed here in the browser: Azure prints no secret. */
export function ImportFromAzure({ current, allowLocalSources, onImport }: Props) {
  const id = useId();
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [found, setFound] = useState<{ configurations: ImportedConfiguration[]; skipped: { name: string; type: string }[] } | null>(null);
  const [choice, setChoice] = useState(0);
  const [loaded, setLoaded] = useState<ImportedConfiguration | null>(null);

  function load(configuration: ImportedConfiguration) {
    const { draft, errors } = draftFromImport(configuration, current, { allowLocalSources });
    setLoaded(configuration);
    onImport(draft, errors);
  }

  function parse(source: string) {
    setLoaded(null);
    const result = importFromAzure(source);
    if (!result.ok) {
      setFound(null);
      setError(result.error);
      return;
    }
    setError(null);
    setFound(result);
    setChoice(0);
    const [only] = result.configurations;
    if (result.configurations.length === 1 && only) load(only);
  }

  async function readFile(file: File | undefined) {
    if (!file) return;
    // Checked before reading: a huge file is refused without holding it in memory.
    if (file.size > MAX_AZURE_IMPORT_BYTES) {
      setFound(null);
      setError(`The file is ${formatBytes(file.size)}; an import may be at most ${formatBytes(MAX_AZURE_IMPORT_BYTES)}: import fewer configurations at a time`);
      return;
    }
    const content = await file.text();
    setText(content);
    parse(content);
  }

  const many = found && found.configurations.length > 1 ? found.configurations : null;
  return (
    <details className="card p-4" open={found !== null || error !== null}>
      <summary className="cursor-pointer font-semibold">Import from Azure</summary>
      <div className="mt-3 space-y-3">
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Paste what <code>az k8s-configuration flux show</code> (or <code>flux list</code>, or an ARM/Bicep export) prints. Flux configurations and Flux v1 source control
          configurations fill the Basics, Source and Kustomizations steps; what cannot come over is listed.
        </p>
        <div className="space-y-1">
          <label htmlFor={`${id}-json`} className="block text-sm font-medium">Azure JSON</label>
          <textarea
            id={`${id}-json`}
            rows={6}
            value={text}
            onChange={(e) => setText(e.target.value)}
            spellCheck={false}
            className="input font-mono text-xs"
            aria-invalid={error !== null}
            aria-describedby={error ? `${id}-error` : undefined}
          />
        </div>
        <div className="space-y-1">
          <label htmlFor={`${id}-file`} className="block text-sm font-medium">Or a JSON file</label>
          <input id={`${id}-file`} type="file" accept=".json,application/json" className="text-sm" onChange={(e) => void readFile(e.target.files?.[0])} />
        </div>
        {error ? (
          <p id={`${id}-error`} role="alert" className="text-sm font-medium text-red-700 dark:text-red-400">{error}</p>
        ) : null}
        <button type="button" className="btn-secondary" onClick={() => parse(text)}>Import</button>

        {many ? (
          <fieldset className="space-y-2">
            <legend className="text-sm font-semibold">The JSON holds {many.length} configurations: which one?</legend>
            {many.map((c, i) => (
              <label key={`${i}-${c.azureName}`} className="flex items-center gap-2 text-sm">
                <input type="radio" name={`${id}-choice`} checked={choice === i} onChange={() => setChoice(i)} /> {describe(c)}
              </label>
            ))}
            <button type="button" className="btn-secondary" onClick={() => many[choice] && load(many[choice])}>Load this configuration</button>
          </fieldset>
        ) : null}
        {found && found.skipped.length > 0 ? (
          <p className="text-sm">Other resources left out: {found.skipped.map((s) => `${s.name} (${s.type})`).join(", ")}.</p>
        ) : null}

        {loaded ? (
          <section aria-label="Imported from Azure" className="space-y-3 border-t border-zinc-200 pt-3 dark:border-zinc-800">
            <p role="status" className="text-sm font-medium">Loaded {describe(loaded)} into the wizard.</p>
            {loaded.needsCredential.length > 0 ? (
              <p className="text-sm">
                <strong>Needs a credential:</strong> {loaded.needsCredential.join("; ")}. Choose or create one on the Source step (step 2).
              </p>
            ) : null}
            <Notes label="Not carried over" notes={loaded.notCarried} />
            <Notes label="Changed on the way" notes={loaded.adjusted} />
            {loaded.unknownFields.length > 0 ? (
              <div>
                <h4 className="text-sm font-semibold">Fields Azure does not document (not imported)</h4>
                <ul aria-label="Unknown Azure fields" className="list-disc pl-5 font-mono text-xs">
                  {loaded.unknownFields.map((field) => <li key={field}>{field}</li>)}
                </ul>
              </div>
            ) : null}
            {loaded.statusFields.length > 0 ? (
              <p className="text-xs text-zinc-500 dark:text-zinc-400">Azure status left behind: {loaded.statusFields.join(", ")}.</p>
            ) : null}
          </section>
        ) : null}
      </div>
    </details>
  );
}
