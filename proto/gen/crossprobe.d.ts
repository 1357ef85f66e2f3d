import * as $protobuf from "protobufjs";
import Long = require("long");

export namespace crossprobe {

    namespace v1 {

        enum FailureCode {
            FAILURE_CODE_UNSPECIFIED = 0,
            DNS_NXDOMAIN = 1,
            DNS_SERVFAIL = 2,
            DNS_TIMEOUT = 3,
            CONNECT_REFUSED = 4,
            CONNECT_TIMEOUT = 5,
            CONNECT_RESET = 6,
            NET_UNREACHABLE = 7,
            TLS_HANDSHAKE = 8,
            TLS_CERT_EXPIRED = 9,
            TLS_CERT_INVALID = 10,
            HEADERS_TIMEOUT = 11,
            BODY_TIMEOUT = 12,
            RESET_MID_BODY = 13,
            HTTP_STATUS = 14,
            BODY_MISMATCH = 15,
            ADDRESS_BLOCKED = 16
        }

        enum Provenance {
            PROVENANCE_UNSPECIFIED = 0,
            PROVENANCE_UNKNOWN = 1,
            PROVENANCE_APP = 2,
            PROVENANCE_NGINX = 3,
            PROVENANCE_HAPROXY = 4,
            PROVENANCE_ENVOY = 5,
            PROVENANCE_CLOUDFLARE = 6,
            PROVENANCE_AWS_ELB = 7,
            PROVENANCE_CLOUDFRONT = 8,
            PROVENANCE_VARNISH = 9,
            PROVENANCE_TRAEFIK = 10,
            PROVENANCE_CADDY = 11
        }

        enum BodyMatch {
            BODY_MATCH_UNSPECIFIED = 0,
            BODY_MATCH_MATCHED = 1,
            BODY_MATCH_MISMATCHED = 2
        }

        interface IPhases extends crossprobe.v1.Phases.$Properties {
        }

        class Phases {
            constructor(p?: crossprobe.v1.Phases.$Properties);
            $unknowns?: Uint8Array[];
            dns?: (number|null);
            connect?: (number|null);
            tls?: (number|null);
            firstByte?: (number|null);
            download?: (number|null);
            total?: (number|null);
            static create(properties: crossprobe.v1.Phases.$Shape): crossprobe.v1.Phases & crossprobe.v1.Phases.$Shape;
            static create(properties?: crossprobe.v1.Phases.$Properties): crossprobe.v1.Phases;
            static encode(m: crossprobe.v1.Phases.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static encodeDelimited(message: crossprobe.v1.Phases.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): crossprobe.v1.Phases & crossprobe.v1.Phases.$Shape;
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): crossprobe.v1.Phases & crossprobe.v1.Phases.$Shape;
            static verify(m: { [k: string]: any }): (string|null);
            static fromObject(d: { [k: string]: any }): crossprobe.v1.Phases;
            static toObject(m: crossprobe.v1.Phases, o?: $protobuf.IConversionOptions): { [k: string]: any };
            toJSON(): { [k: string]: any };
            static getTypeUrl(prefix?: string): string;
        }

        namespace Phases {
            interface $Properties {
                dns?: (number|null);
                connect?: (number|null);
                tls?: (number|null);
                firstByte?: (number|null);
                download?: (number|null);
                total?: (number|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = crossprobe.v1.Phases.$Properties;
        }

        interface IProbeResult extends crossprobe.v1.ProbeResult.$Properties {
        }

        class ProbeResult {
            constructor(p?: crossprobe.v1.ProbeResult.$Properties);
            $unknowns?: Uint8Array[];
            resultId: string;
            agent: string;
            region: string;
            target: string;
            url: string;
            startedAtMs: number;
            roundAtMs: number;
            phases?: (crossprobe.v1.Phases.$Properties|null);
            ok: boolean;
            failure: crossprobe.v1.FailureCode;
            failureDetail: string;
            status?: (number|null);
            ip: string;
            ipFamily: number;
            sourceAddress: string;
            headers: { [k: string]: string };
            identity: { [k: string]: string };
            bodyMatch: crossprobe.v1.BodyMatch;
            bodyBytes: number;
            bodyTruncated: boolean;
            provenance: crossprobe.v1.Provenance;
            tlsCertNotAfterMs?: (number|null);
            method: string;
            ipsInRound: number;
            static create(properties: crossprobe.v1.ProbeResult.$Shape): crossprobe.v1.ProbeResult & crossprobe.v1.ProbeResult.$Shape;
            static create(properties?: crossprobe.v1.ProbeResult.$Properties): crossprobe.v1.ProbeResult;
            static encode(m: crossprobe.v1.ProbeResult.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static encodeDelimited(message: crossprobe.v1.ProbeResult.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): crossprobe.v1.ProbeResult & crossprobe.v1.ProbeResult.$Shape;
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): crossprobe.v1.ProbeResult & crossprobe.v1.ProbeResult.$Shape;
            static verify(m: { [k: string]: any }): (string|null);
            static fromObject(d: { [k: string]: any }): crossprobe.v1.ProbeResult;
            static toObject(m: crossprobe.v1.ProbeResult, o?: $protobuf.IConversionOptions): { [k: string]: any };
            toJSON(): { [k: string]: any };
            static getTypeUrl(prefix?: string): string;
        }

        namespace ProbeResult {
            interface $Properties {
                resultId?: (string|null);
                agent?: (string|null);
                region?: (string|null);
                target?: (string|null);
                url?: (string|null);
                startedAtMs?: (number|null);
                roundAtMs?: (number|null);
                phases?: (crossprobe.v1.Phases.$Properties|null);
                ok?: (boolean|null);
                failure?: (crossprobe.v1.FailureCode|null);
                failureDetail?: (string|null);
                status?: (number|null);
                ip?: (string|null);
                ipFamily?: (number|null);
                sourceAddress?: (string|null);
                headers?: ({ [k: string]: string }|null);
                identity?: ({ [k: string]: string }|null);
                bodyMatch?: (crossprobe.v1.BodyMatch|null);
                bodyBytes?: (number|null);
                bodyTruncated?: (boolean|null);
                provenance?: (crossprobe.v1.Provenance|null);
                tlsCertNotAfterMs?: (number|null);
                method?: (string|null);
                ipsInRound?: (number|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = crossprobe.v1.ProbeResult.$Properties;
        }

        interface IControlHealth extends crossprobe.v1.ControlHealth.$Properties {
        }

        class ControlHealth {
            constructor(p?: crossprobe.v1.ControlHealth.$Properties);
            $unknowns?: Uint8Array[];
            url: string;
            ok: boolean;
            failure: crossprobe.v1.FailureCode;
            checkedAtMs: number;
            consecutiveFailures: number;
            totalMs?: (number|null);
            static create(properties: crossprobe.v1.ControlHealth.$Shape): crossprobe.v1.ControlHealth & crossprobe.v1.ControlHealth.$Shape;
            static create(properties?: crossprobe.v1.ControlHealth.$Properties): crossprobe.v1.ControlHealth;
            static encode(m: crossprobe.v1.ControlHealth.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static encodeDelimited(message: crossprobe.v1.ControlHealth.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): crossprobe.v1.ControlHealth & crossprobe.v1.ControlHealth.$Shape;
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): crossprobe.v1.ControlHealth & crossprobe.v1.ControlHealth.$Shape;
            static verify(m: { [k: string]: any }): (string|null);
            static fromObject(d: { [k: string]: any }): crossprobe.v1.ControlHealth;
            static toObject(m: crossprobe.v1.ControlHealth, o?: $protobuf.IConversionOptions): { [k: string]: any };
            toJSON(): { [k: string]: any };
            static getTypeUrl(prefix?: string): string;
        }

        namespace ControlHealth {
            interface $Properties {
                url?: (string|null);
                ok?: (boolean|null);
                failure?: (crossprobe.v1.FailureCode|null);
                checkedAtMs?: (number|null);
                consecutiveFailures?: (number|null);
                totalMs?: (number|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = crossprobe.v1.ControlHealth.$Properties;
        }

        interface IHeartbeat extends crossprobe.v1.Heartbeat.$Properties {
        }

        class Heartbeat {
            constructor(p?: crossprobe.v1.Heartbeat.$Properties);
            $unknowns?: Uint8Array[];
            agent: string;
            region: string;
            version: string;
            sentAtMs: number;
            startedAtMs: number;
            targets: number;
            spoolDepth: number;
            spoolDropped: number;
            schedLagMs: number;
            controls: crossprobe.v1.ControlHealth.$Properties[];
            resultsPublished: number;
            inFlight: number;
            spoolBytes: number;
            rssBytes: number;
            spoolDegraded: boolean;
            spoolError: string;
            memoryQueueDepth: number;
            memoryQueueBytes: number;
            memoryQueueDropped: number;
            static create(properties: crossprobe.v1.Heartbeat.$Shape): crossprobe.v1.Heartbeat & crossprobe.v1.Heartbeat.$Shape;
            static create(properties?: crossprobe.v1.Heartbeat.$Properties): crossprobe.v1.Heartbeat;
            static encode(m: crossprobe.v1.Heartbeat.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static encodeDelimited(message: crossprobe.v1.Heartbeat.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): crossprobe.v1.Heartbeat & crossprobe.v1.Heartbeat.$Shape;
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): crossprobe.v1.Heartbeat & crossprobe.v1.Heartbeat.$Shape;
            static verify(m: { [k: string]: any }): (string|null);
            static fromObject(d: { [k: string]: any }): crossprobe.v1.Heartbeat;
            static toObject(m: crossprobe.v1.Heartbeat, o?: $protobuf.IConversionOptions): { [k: string]: any };
            toJSON(): { [k: string]: any };
            static getTypeUrl(prefix?: string): string;
        }

        namespace Heartbeat {
            interface $Properties {
                agent?: (string|null);
                region?: (string|null);
                version?: (string|null);
                sentAtMs?: (number|null);
                startedAtMs?: (number|null);
                targets?: (number|null);
                spoolDepth?: (number|null);
                spoolDropped?: (number|null);
                schedLagMs?: (number|null);
                controls?: (crossprobe.v1.ControlHealth.$Properties[]|null);
                resultsPublished?: (number|null);
                inFlight?: (number|null);
                spoolBytes?: (number|null);
                rssBytes?: (number|null);
                spoolDegraded?: (boolean|null);
                spoolError?: (string|null);
                memoryQueueDepth?: (number|null);
                memoryQueueBytes?: (number|null);
                memoryQueueDropped?: (number|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = crossprobe.v1.Heartbeat.$Properties;
        }

        interface IIdentityRule extends crossprobe.v1.IdentityRule.$Properties {
        }

        class IdentityRule {
            constructor(p?: crossprobe.v1.IdentityRule.$Properties);
            $unknowns?: Uint8Array[];
            header: string;
            pattern: string;
            name: string;
            static create(properties: crossprobe.v1.IdentityRule.$Shape): crossprobe.v1.IdentityRule & crossprobe.v1.IdentityRule.$Shape;
            static create(properties?: crossprobe.v1.IdentityRule.$Properties): crossprobe.v1.IdentityRule;
            static encode(m: crossprobe.v1.IdentityRule.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static encodeDelimited(message: crossprobe.v1.IdentityRule.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): crossprobe.v1.IdentityRule & crossprobe.v1.IdentityRule.$Shape;
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): crossprobe.v1.IdentityRule & crossprobe.v1.IdentityRule.$Shape;
            static verify(m: { [k: string]: any }): (string|null);
            static fromObject(d: { [k: string]: any }): crossprobe.v1.IdentityRule;
            static toObject(m: crossprobe.v1.IdentityRule, o?: $protobuf.IConversionOptions): { [k: string]: any };
            toJSON(): { [k: string]: any };
            static getTypeUrl(prefix?: string): string;
        }

        namespace IdentityRule {
            interface $Properties {
                header?: (string|null);
                pattern?: (string|null);
                name?: (string|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = crossprobe.v1.IdentityRule.$Properties;
        }

        interface ITarget extends crossprobe.v1.Target.$Properties {
        }

        class Target {
            constructor(p?: crossprobe.v1.Target.$Properties);
            $unknowns?: Uint8Array[];
            id: string;
            url: string;
            method: string;
            intervalMs: number;
            timeoutMs: number;
            expectStatusMin: number;
            expectStatusMax: number;
            bodyContains?: (string|null);
            resolveAll: boolean;
            regions: string[];
            identity: crossprobe.v1.IdentityRule.$Properties[];
            requestHeaders: { [k: string]: string };
            static create(properties: crossprobe.v1.Target.$Shape): crossprobe.v1.Target & crossprobe.v1.Target.$Shape;
            static create(properties?: crossprobe.v1.Target.$Properties): crossprobe.v1.Target;
            static encode(m: crossprobe.v1.Target.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static encodeDelimited(message: crossprobe.v1.Target.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): crossprobe.v1.Target & crossprobe.v1.Target.$Shape;
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): crossprobe.v1.Target & crossprobe.v1.Target.$Shape;
            static verify(m: { [k: string]: any }): (string|null);
            static fromObject(d: { [k: string]: any }): crossprobe.v1.Target;
            static toObject(m: crossprobe.v1.Target, o?: $protobuf.IConversionOptions): { [k: string]: any };
            toJSON(): { [k: string]: any };
            static getTypeUrl(prefix?: string): string;
        }

        namespace Target {
            interface $Properties {
                id?: (string|null);
                url?: (string|null);
                method?: (string|null);
                intervalMs?: (number|null);
                timeoutMs?: (number|null);
                expectStatusMin?: (number|null);
                expectStatusMax?: (number|null);
                bodyContains?: (string|null);
                resolveAll?: (boolean|null);
                regions?: (string[]|null);
                identity?: (crossprobe.v1.IdentityRule.$Properties[]|null);
                requestHeaders?: ({ [k: string]: string }|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = crossprobe.v1.Target.$Properties;
        }
    }
}
