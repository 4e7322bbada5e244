"use client";

import { emptyWave, type Draft, type WaveDraft } from "./draft";
import { Checkbox, Select, TextInput } from "./fields";

type StepProps = { draft: Draft; update: (d: Draft) => void; errors: Record<string, string> };

const MAX_WAVES = 10;

/**
 * How a push reaches the targets: at once (the default), or in waves, each taking the remaining
 * targets its selector matches (or a share of them), gated on the previous wave being Compliant.
 */
export function RolloutStep({ draft, update, errors }: StepProps) {
  const { enabled, waves } = draft.strategy;
  const setWaves = (next: WaveDraft[]) => update({ ...draft, strategy: { enabled, waves: next } });
  const setWave = (index: number, patch: Partial<WaveDraft>) => setWaves(waves.map((w, i) => (i === index ? { ...w, ...patch } : w)));
  const move = (index: number, by: number) => {
    const next = [...waves];
    const [wave] = next.splice(index, 1);
    next.splice(index + by, 0, wave!);
    setWaves(next);
  };
  return (
    <div className="space-y-4">
      <Checkbox
        path="strategy.enabled"
        label="Roll out in waves"
        hint="Off: a push goes to every target at once, 16 clusters at a time. On: wave by wave, each one gated on the previous wave being Compliant on the new version."
        checked={enabled}
        onChange={(on) => update({ ...draft, strategy: { enabled: on, waves } })}
      />
      {errors.strategy ? <p role="alert" className="text-sm text-red-700">{errors.strategy}</p> : null}
      {enabled ? (
        <>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Each wave takes the remaining targets its selector matches (all remaining ones without a selector), or a share of them. Targets no wave takes go last, in a wave named rest. Maintenance windows still apply to every wave.
          </p>
          {errors["strategy.waves"] ? <p role="alert" className="text-sm text-red-700">{errors["strategy.waves"]}</p> : null}
          <ol className="space-y-3">
            {waves.map((wave, index) => {
              const p = `strategy.waves.${index}`;
              return (
                <li key={index} className="rounded-md border border-zinc-200 p-3 dark:border-zinc-700">
                  <fieldset>
                    <legend className="mb-2 text-sm font-semibold">Wave {index + 1}{wave.name ? `: ${wave.name}` : ""}</legend>
                    <div className="grid gap-3 sm:grid-cols-3">
                      <TextInput path={`${p}.name`} label="Name" value={wave.name} onChange={(name) => setWave(index, { name })} errors={errors} mono />
                      <TextInput path={`${p}.selector`} label="Clusters (label selector)" value={wave.selector} onChange={(selector) => setWave(index, { selector })} errors={errors} mono placeholder="env=prod (empty: all remaining)" />
                      <TextInput path={`${p}.percent`} label="Share of them (%)" value={wave.percent} onChange={(percent) => setWave(index, { percent })} errors={errors} placeholder="100" hint="A canary: 10 takes one in ten." />
                      <TextInput path={`${p}.concurrency`} label="Clusters at a time" value={wave.concurrency} onChange={(concurrency) => setWave(index, { concurrency })} errors={errors} />
                      <TextInput path={`${p}.soakSeconds`} label="Soak (seconds)" value={wave.soakSeconds} onChange={(soakSeconds) => setWave(index, { soakSeconds })} errors={errors} hint="How long every cluster must stay Compliant before the next wave." />
                      <TextInput path={`${p}.maxFailures`} label="Failures allowed" value={wave.maxFailures} onChange={(maxFailures) => setWave(index, { maxFailures })} errors={errors} />
                      <TextInput path={`${p}.maxFailurePercent`} label="or failures allowed (%)" value={wave.maxFailurePercent} onChange={(maxFailurePercent) => setWave(index, { maxFailurePercent })} errors={errors} />
                      <Select
                        path={`${p}.approval`}
                        label="Then"
                        value={wave.approval}
                        onChange={(approval) => setWave(index, { approval: approval as WaveDraft["approval"] })}
                        errors={errors}
                        options={[
                          { value: "auto", label: "start the next wave by itself" },
                          { value: "operator", label: "wait for an operator's approval" },
                          { value: "second-person", label: "wait for a second person's approval" },
                        ]}
                      />
                    </div>
                    <div className="mt-2 flex gap-2">
                      <button type="button" className="btn-secondary" onClick={() => move(index, -1)} disabled={index === 0} aria-label={`Move wave ${index + 1} up`}>↑</button>
                      <button type="button" className="btn-secondary" onClick={() => move(index, 1)} disabled={index === waves.length - 1} aria-label={`Move wave ${index + 1} down`}>↓</button>
                      <button type="button" className="btn-secondary" onClick={() => setWaves(waves.filter((_, i) => i !== index))} disabled={waves.length === 1}>Remove wave {index + 1}</button>
                    </div>
                  </fieldset>
                </li>
              );
            })}
          </ol>
          <button type="button" className="btn-secondary" onClick={() => setWaves([...waves, emptyWave(`wave-${waves.length + 1}`)])} disabled={waves.length >= MAX_WAVES}>
            Add a wave
          </button>
        </>
      ) : null}
    </div>
  );
}
