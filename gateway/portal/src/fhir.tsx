/**
 * FHIR R4 as a clinician reads it: observations as a table and, for each test measured more
 * than once, a chart over time (the table is its text alternative); conditions; medications.
 * Anything else is counted, with its JSON a click away.
 */
type Resource = { resourceType: string; id?: string; [field: string]: unknown };
type Coding = { code?: string; display?: string; system?: string };
type Concept = { text?: string; coding?: Coding[] } | undefined;

export function resourcesOf(content: unknown): Resource[] {
  const resource = content as Resource | undefined;
  if (!resource || typeof resource !== 'object') return [];
  if (resource.resourceType === 'Bundle') return ((resource.entry as { resource?: Resource }[] | undefined) ?? []).flatMap((entry) => (entry.resource ? resourcesOf(entry.resource) : []));
  return [resource];
}

const conceptText = (concept: Concept): string => concept?.text ?? concept?.coding?.[0]?.display ?? concept?.coding?.[0]?.code ?? 'unnamed';

interface Reading {
  test: string;
  at: string;
  value: string;
  numeric: number | null;
  unit: string;
}

function reading(observation: Resource): Reading {
  const quantity = observation.valueQuantity as { value?: number; unit?: string } | undefined;
  const at = String(observation.effectiveDateTime ?? (observation.effectivePeriod as { start?: string } | undefined)?.start ?? observation.issued ?? '');
  const value = quantity?.value ?? observation.valueString ?? observation.valueInteger ?? conceptText(observation.valueCodeableConcept as Concept);
  return { test: conceptText(observation.code as Concept), at, value: String(value), numeric: typeof quantity?.value === 'number' ? quantity.value : null, unit: quantity?.unit ?? '' };
}

export function FhirView({ resources }: { resources: Resource[] }) {
  const observations = resources.filter((r) => r.resourceType === 'Observation').map(reading).sort((a, b) => a.at.localeCompare(b.at));
  const conditions = resources.filter((r) => r.resourceType === 'Condition');
  const medications = resources.filter((r) => r.resourceType === 'MedicationRequest' || r.resourceType === 'MedicationStatement');
  const shown = new Set(['Observation', 'Condition', 'MedicationRequest', 'MedicationStatement', 'Patient']);
  const others = resources.filter((r) => !shown.has(r.resourceType));
  const series = new Map<string, Reading[]>();
  for (const r of observations) if (r.numeric !== null) series.set(r.test, [...(series.get(r.test) ?? []), r]);
  return (
    <div class="fhir">
      {observations.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption>Observations</caption>
            <thead><tr><th scope="col">Date</th><th scope="col">Test</th><th scope="col">Value</th><th scope="col">Unit</th></tr></thead>
            <tbody>{observations.map((r) => <tr><td>{r.at.slice(0, 10)}</td><td>{r.test}</td><td>{r.value}</td><td>{r.unit}</td></tr>)}</tbody>
          </table>
        </div>
      )}
      {[...series].filter(([, points]) => points.length > 1).map(([test, points]) => <Chart test={test} points={points} />)}
      {conditions.length > 0 && (
        <>
          <h4>Conditions</h4>
          <ul>{conditions.map((c) => <li>{conceptText(c.code as Concept)}{c.clinicalStatus ? ` (${conceptText(c.clinicalStatus as Concept)})` : ''}{c.onsetDateTime ? `, since ${String(c.onsetDateTime).slice(0, 10)}` : ''}</li>)}</ul>
        </>
      )}
      {medications.length > 0 && (
        <>
          <h4>Medications</h4>
          <ul>
            {medications.map((m) => {
              const dosage = (m.dosageInstruction as { text?: string }[] | undefined)?.[0]?.text ?? (m.dosage as { text?: string }[] | undefined)?.[0]?.text;
              return <li>{conceptText(m.medicationCodeableConcept as Concept)}{dosage ? `: ${dosage}` : ''}{m.status ? ` (${String(m.status)})` : ''}</li>;
            })}
          </ul>
        </>
      )}
      {others.length > 0 && (
        <details>
          <summary>{others.length} more resource{others.length === 1 ? '' : 's'} ({[...new Set(others.map((r) => r.resourceType))].join(', ')})</summary>
          <pre class="token">{JSON.stringify(others, null, 2)}</pre>
        </details>
      )}
    </div>
  );
}

/** A line chart of one test over time, in SVG; its title and description say what it shows. */
function Chart({ test, points }: { test: string; points: Reading[] }) {
  const [width, height, pad] = [480, 200, 40];
  const times = points.map((p) => Date.parse(p.at));
  const values = points.map((p) => p.numeric!);
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const [v0, v1] = [Math.min(...values), Math.max(...values)];
  const x = (t: number) => pad + ((t - t0) / (t1 - t0 || 1)) * (width - 2 * pad);
  const y = (v: number) => height - pad - ((v - v0) / (v1 - v0 || 1)) * (height - 2 * pad);
  const path = points.map((_, i) => `${i === 0 ? 'M' : 'L'}${x(times[i]!).toFixed(1)},${y(values[i]!).toFixed(1)}`).join(' ');
  const titleId = `chart-${test.replace(/\W+/g, '-')}`;
  const unit = points[0]!.unit;
  return (
    <figure>
      <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${titleId}-t ${titleId}-d`}>
        <title id={`${titleId}-t`}>{`${test} over time`}</title>
        <desc id={`${titleId}-d`}>{points.map((p) => `${p.at.slice(0, 10)}: ${p.value} ${unit}`).join('; ')}</desc>
        <line class="axis" x1={pad} y1={height - pad} x2={width - pad} y2={height - pad} />
        <line class="axis" x1={pad} y1={pad} x2={pad} y2={height - pad} />
        <path class="line" d={path} />
        {points.map((p, i) => <circle class="dot" cx={x(times[i]!)} cy={y(values[i]!)} r={4} />)}
        <text x={pad} y={height - 12}>{points[0]!.at.slice(0, 10)}</text>
        <text x={width - pad} y={height - 12} text-anchor="end">{points[points.length - 1]!.at.slice(0, 10)}</text>
        <text x={4} y={y(v1) + 4}>{v1}</text>
        <text x={4} y={y(v0) + 4}>{v0}</text>
      </svg>
      <figcaption>{`${test} (${unit}) over time`}</figcaption>
    </figure>
  );
}
