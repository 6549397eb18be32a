import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface DnsValidatedCertificateArgs {
  domainName: string;
  /** The Route 53 zone that holds `domainName`; the validation record is written there. */
  hostedZoneId: string;
}

/**
 * An ACM certificate proven by a DNS record in Route 53. Its ARN resolves only once ACM has issued
 * the certificate, so a listener or distribution using it never sees a pending one. CloudFront
 * needs its certificate in us-east-1: pass that provider in the options.
 */
export class DnsValidatedCertificate extends pulumi.ComponentResource {
  readonly certificateArn: pulumi.Output<string>;

  constructor(
    name: string,
    args: DnsValidatedCertificateArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super('lorechat:edge:DnsValidatedCertificate', name, {}, opts);

    const certificate = new aws.acm.Certificate(
      name,
      { domainName: args.domainName, validationMethod: 'DNS' },
      { parent: this },
    );
    const validation = certificate.domainValidationOptions.apply(onlyValidationOption);
    const record = new aws.route53.Record(
      `${name}-validation`,
      {
        zoneId: args.hostedZoneId,
        name: validation.resourceRecordName,
        type: validation.resourceRecordType,
        records: [validation.resourceRecordValue],
        ttl: 300,
        // Re-creating the certificate yields the same record; take it over instead of failing.
        allowOverwrite: true,
      },
      { parent: this },
    );
    const validated = new aws.acm.CertificateValidation(
      name,
      { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
      { parent: this },
    );
    this.certificateArn = validated.certificateArn;

    this.registerOutputs({ certificateArn: this.certificateArn });
  }
}

/** A single-name certificate has exactly one DNS validation record. */
export function onlyValidationOption(
  options: aws.types.output.acm.CertificateDomainValidationOption[],
): aws.types.output.acm.CertificateDomainValidationOption {
  const [option, ...others] = options;
  if (!option || others.length > 0) {
    throw new Error(`expected one DNS validation record, ACM returned ${options.length}`);
  }
  return option;
}
