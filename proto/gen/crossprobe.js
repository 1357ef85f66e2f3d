/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
import $protobuf from "protobufjs/minimal.js";

// Common aliases
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;
const $Object = $util.global.Object, $undefined = $util.global.undefined, $Error = $util.global.Error, $RangeError = $util.global.RangeError, $TypeError = $util.global.TypeError, $Number = $util.global.Number, $isFinite = $util.global.isFinite, $String = $util.global.String, $parseInt = $util.global.parseInt, $Boolean = $util.global.Boolean, $BigInt = $util.global.BigInt, $Array = $util.global.Array;

// Exported root namespace
const $root = $protobuf.roots["default"] || ($protobuf.roots["default"] = {});

export const crossprobe = $root.crossprobe = (() => {

    /**
     * Namespace crossprobe.
     * @exports crossprobe
     * @namespace
     */
    const crossprobe = {};

    crossprobe.v1 = (function() {

        /**
         * Namespace v1.
         * @memberof crossprobe
         * @namespace
         */
        const v1 = {};

        /**
         * FailureCode enum.
         * @name crossprobe.v1.FailureCode
         * @enum {number}
         * @property {number} FAILURE_CODE_UNSPECIFIED=0 FAILURE_CODE_UNSPECIFIED value
         * @property {number} DNS_NXDOMAIN=1 DNS_NXDOMAIN value
         * @property {number} DNS_SERVFAIL=2 DNS_SERVFAIL value
         * @property {number} DNS_TIMEOUT=3 DNS_TIMEOUT value
         * @property {number} CONNECT_REFUSED=4 CONNECT_REFUSED value
         * @property {number} CONNECT_TIMEOUT=5 CONNECT_TIMEOUT value
         * @property {number} CONNECT_RESET=6 CONNECT_RESET value
         * @property {number} NET_UNREACHABLE=7 NET_UNREACHABLE value
         * @property {number} TLS_HANDSHAKE=8 TLS_HANDSHAKE value
         * @property {number} TLS_CERT_EXPIRED=9 TLS_CERT_EXPIRED value
         * @property {number} TLS_CERT_INVALID=10 TLS_CERT_INVALID value
         * @property {number} HEADERS_TIMEOUT=11 HEADERS_TIMEOUT value
         * @property {number} BODY_TIMEOUT=12 BODY_TIMEOUT value
         * @property {number} RESET_MID_BODY=13 RESET_MID_BODY value
         * @property {number} HTTP_STATUS=14 HTTP_STATUS value
         * @property {number} BODY_MISMATCH=15 BODY_MISMATCH value
         * @property {number} ADDRESS_BLOCKED=16 ADDRESS_BLOCKED value
         */
        v1.FailureCode = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "FAILURE_CODE_UNSPECIFIED"] = 0;
            values[valuesById[1] = "DNS_NXDOMAIN"] = 1;
            values[valuesById[2] = "DNS_SERVFAIL"] = 2;
            values[valuesById[3] = "DNS_TIMEOUT"] = 3;
            values[valuesById[4] = "CONNECT_REFUSED"] = 4;
            values[valuesById[5] = "CONNECT_TIMEOUT"] = 5;
            values[valuesById[6] = "CONNECT_RESET"] = 6;
            values[valuesById[7] = "NET_UNREACHABLE"] = 7;
            values[valuesById[8] = "TLS_HANDSHAKE"] = 8;
            values[valuesById[9] = "TLS_CERT_EXPIRED"] = 9;
            values[valuesById[10] = "TLS_CERT_INVALID"] = 10;
            values[valuesById[11] = "HEADERS_TIMEOUT"] = 11;
            values[valuesById[12] = "BODY_TIMEOUT"] = 12;
            values[valuesById[13] = "RESET_MID_BODY"] = 13;
            values[valuesById[14] = "HTTP_STATUS"] = 14;
            values[valuesById[15] = "BODY_MISMATCH"] = 15;
            values[valuesById[16] = "ADDRESS_BLOCKED"] = 16;
            return values;
        })();

        /**
         * Provenance enum.
         * @name crossprobe.v1.Provenance
         * @enum {number}
         * @property {number} PROVENANCE_UNSPECIFIED=0 PROVENANCE_UNSPECIFIED value
         * @property {number} PROVENANCE_UNKNOWN=1 PROVENANCE_UNKNOWN value
         * @property {number} PROVENANCE_APP=2 PROVENANCE_APP value
         * @property {number} PROVENANCE_NGINX=3 PROVENANCE_NGINX value
         * @property {number} PROVENANCE_HAPROXY=4 PROVENANCE_HAPROXY value
         * @property {number} PROVENANCE_ENVOY=5 PROVENANCE_ENVOY value
         * @property {number} PROVENANCE_CLOUDFLARE=6 PROVENANCE_CLOUDFLARE value
         * @property {number} PROVENANCE_AWS_ELB=7 PROVENANCE_AWS_ELB value
         * @property {number} PROVENANCE_CLOUDFRONT=8 PROVENANCE_CLOUDFRONT value
         * @property {number} PROVENANCE_VARNISH=9 PROVENANCE_VARNISH value
         * @property {number} PROVENANCE_TRAEFIK=10 PROVENANCE_TRAEFIK value
         * @property {number} PROVENANCE_CADDY=11 PROVENANCE_CADDY value
         */
        v1.Provenance = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "PROVENANCE_UNSPECIFIED"] = 0;
            values[valuesById[1] = "PROVENANCE_UNKNOWN"] = 1;
            values[valuesById[2] = "PROVENANCE_APP"] = 2;
            values[valuesById[3] = "PROVENANCE_NGINX"] = 3;
            values[valuesById[4] = "PROVENANCE_HAPROXY"] = 4;
            values[valuesById[5] = "PROVENANCE_ENVOY"] = 5;
            values[valuesById[6] = "PROVENANCE_CLOUDFLARE"] = 6;
            values[valuesById[7] = "PROVENANCE_AWS_ELB"] = 7;
            values[valuesById[8] = "PROVENANCE_CLOUDFRONT"] = 8;
            values[valuesById[9] = "PROVENANCE_VARNISH"] = 9;
            values[valuesById[10] = "PROVENANCE_TRAEFIK"] = 10;
            values[valuesById[11] = "PROVENANCE_CADDY"] = 11;
            return values;
        })();

        /**
         * BodyMatch enum.
         * @name crossprobe.v1.BodyMatch
         * @enum {number}
         * @property {number} BODY_MATCH_UNSPECIFIED=0 BODY_MATCH_UNSPECIFIED value
         * @property {number} BODY_MATCH_MATCHED=1 BODY_MATCH_MATCHED value
         * @property {number} BODY_MATCH_MISMATCHED=2 BODY_MATCH_MISMATCHED value
         */
        v1.BodyMatch = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "BODY_MATCH_UNSPECIFIED"] = 0;
            values[valuesById[1] = "BODY_MATCH_MATCHED"] = 1;
            values[valuesById[2] = "BODY_MATCH_MISMATCHED"] = 2;
            return values;
        })();

        v1.Phases = (function() {

            /**
             * Properties of a Phases.
             * @typedef {Object} crossprobe.v1.Phases.$Properties
             * @property {number|null} [dns] Phases dns
             * @property {number|null} [connect] Phases connect
             * @property {number|null} [tls] Phases tls
             * @property {number|null} [firstByte] Phases firstByte
             * @property {number|null} [download] Phases download
             * @property {number|null} [total] Phases total
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Phases.
             * @memberof crossprobe.v1
             * @interface IPhases
             * @augments crossprobe.v1.Phases.$Properties
             * @deprecated Use crossprobe.v1.Phases.$Properties instead.
             */

            /**
             * Shape of a Phases.
             * @typedef {crossprobe.v1.Phases.$Properties} crossprobe.v1.Phases.$Shape
             */

            /**
             * Constructs a new Phases.
             * @memberof crossprobe.v1
             * @classdesc Represents a Phases.
             * @constructor
             * @param {crossprobe.v1.Phases.$Properties=} [p] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Phases = function (p) {
                if (p)
                    for (var ks = $Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            };

            /**
             * Phases dns.
             * @member {number|null|undefined} dns
             * @memberof crossprobe.v1.Phases
             * @instance
             */
            Phases.prototype.dns = null;

            /**
             * Phases connect.
             * @member {number|null|undefined} connect
             * @memberof crossprobe.v1.Phases
             * @instance
             */
            Phases.prototype.connect = null;

            /**
             * Phases tls.
             * @member {number|null|undefined} tls
             * @memberof crossprobe.v1.Phases
             * @instance
             */
            Phases.prototype.tls = null;

            /**
             * Phases firstByte.
             * @member {number|null|undefined} firstByte
             * @memberof crossprobe.v1.Phases
             * @instance
             */
            Phases.prototype.firstByte = null;

            /**
             * Phases download.
             * @member {number|null|undefined} download
             * @memberof crossprobe.v1.Phases
             * @instance
             */
            Phases.prototype.download = null;

            /**
             * Phases total.
             * @member {number|null|undefined} total
             * @memberof crossprobe.v1.Phases
             * @instance
             */
            Phases.prototype.total = null;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            // Virtual OneOf for proto3 optional field
            $Object.defineProperty(Phases.prototype, "_dns", {
                get: $util.oneOfGetter($oneOfFields = ["dns"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            // Virtual OneOf for proto3 optional field
            $Object.defineProperty(Phases.prototype, "_connect", {
                get: $util.oneOfGetter($oneOfFields = ["connect"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            // Virtual OneOf for proto3 optional field
            $Object.defineProperty(Phases.prototype, "_tls", {
                get: $util.oneOfGetter($oneOfFields = ["tls"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            // Virtual OneOf for proto3 optional field
            $Object.defineProperty(Phases.prototype, "_firstByte", {
                get: $util.oneOfGetter($oneOfFields = ["firstByte"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            // Virtual OneOf for proto3 optional field
            $Object.defineProperty(Phases.prototype, "_download", {
                get: $util.oneOfGetter($oneOfFields = ["download"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            // Virtual OneOf for proto3 optional field
            $Object.defineProperty(Phases.prototype, "_total", {
                get: $util.oneOfGetter($oneOfFields = ["total"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new Phases instance using the specified properties.
             * @function create
             * @memberof crossprobe.v1.Phases
             * @static
             * @param {crossprobe.v1.Phases.$Properties=} [properties] Properties to set
             * @returns {crossprobe.v1.Phases} Phases instance
             * @type {{
             *   (properties: crossprobe.v1.Phases.$Shape): crossprobe.v1.Phases & crossprobe.v1.Phases.$Shape;
             *   (properties?: crossprobe.v1.Phases.$Properties): crossprobe.v1.Phases;
             * }}
             */
            Phases.create = function(properties) {
                return new Phases(properties);
            };

            /**
             * Encodes the specified Phases message. Does not implicitly {@link crossprobe.v1.Phases.verify|verify} messages.
             * @function encode
             * @memberof crossprobe.v1.Phases
             * @static
             * @param {crossprobe.v1.Phases.$Properties} m Phases message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Phases.encode = function (m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (m.dns != null && $Object.hasOwnProperty.call(m, "dns"))
                    w.uint32(/* id 1, wireType 1 =*/9).double(m.dns);
                if (m.connect != null && $Object.hasOwnProperty.call(m, "connect"))
                    w.uint32(/* id 2, wireType 1 =*/17).double(m.connect);
                if (m.tls != null && $Object.hasOwnProperty.call(m, "tls"))
                    w.uint32(/* id 3, wireType 1 =*/25).double(m.tls);
                if (m.firstByte != null && $Object.hasOwnProperty.call(m, "firstByte"))
                    w.uint32(/* id 4, wireType 1 =*/33).double(m.firstByte);
                if (m.download != null && $Object.hasOwnProperty.call(m, "download"))
                    w.uint32(/* id 5, wireType 1 =*/41).double(m.download);
                if (m.total != null && $Object.hasOwnProperty.call(m, "total"))
                    w.uint32(/* id 6, wireType 1 =*/49).double(m.total);
                if (m.$unknowns != null && $Object.hasOwnProperty.call(m, "$unknowns"))
                    for (var i = 0; i < m.$unknowns.length; ++i)
                        w.raw(m.$unknowns[i]);
                return w;
            };

            /**
             * Encodes the specified Phases message, length delimited. Does not implicitly {@link crossprobe.v1.Phases.verify|verify} messages.
             * @function encodeDelimited
             * @memberof crossprobe.v1.Phases
             * @static
             * @param {crossprobe.v1.Phases.$Properties} message Phases message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Phases.encodeDelimited = function(message, writer) {
                return this.encode(message, (writer || $Writer.create()).fork()).ldelim();
            };

            /**
             * Decodes a Phases message from the specified reader or buffer.
             * @function decode
             * @memberof crossprobe.v1.Phases
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {crossprobe.v1.Phases & crossprobe.v1.Phases.$Shape} Phases
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Phases.decode = function (r, l, z, q, g) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (q === $undefined)
                    q = 0;
                if (q > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                var c, m;
                if (l === $undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw $RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = g || new $root.crossprobe.v1.Phases();
                while (r.pos < c) {
                    var s = r.pos;
                    var t = r.tag();
                    if (t === z) {
                        z = $undefined;
                        break;
                    }
                    var u = t & 7;
                    switch (t >>>= 3) {
                    case 1: {
                            if (u !== 1)
                                break;
                            m.dns = r.double();
                            m._dns = "dns";
                            continue;
                        }
                    case 2: {
                            if (u !== 1)
                                break;
                            m.connect = r.double();
                            m._connect = "connect";
                            continue;
                        }
                    case 3: {
                            if (u !== 1)
                                break;
                            m.tls = r.double();
                            m._tls = "tls";
                            continue;
                        }
                    case 4: {
                            if (u !== 1)
                                break;
                            m.firstByte = r.double();
                            m._firstByte = "firstByte";
                            continue;
                        }
                    case 5: {
                            if (u !== 1)
                                break;
                            m.download = r.double();
                            m._download = "download";
                            continue;
                        }
                    case 6: {
                            if (u !== 1)
                                break;
                            m.total = r.double();
                            m._total = "total";
                            continue;
                        }
                    }
                    r.skipType(u, q, t);
                    if (!r.discardUnknown) {
                        $util.makeProp(m, "$unknowns", false);
                        (m.$unknowns || (m.$unknowns = [])).push(r.raw(s, r.pos));
                    }
                }
                if (l !== $undefined) {
                    if (r.pos !== c)
                        throw $RangeError("index out of range");
                    r.len = l;
                }
                if (z !== $undefined)
                    throw $Error("missing end group");
                return m;
            };

            /**
             * Decodes a Phases message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof crossprobe.v1.Phases
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {crossprobe.v1.Phases & crossprobe.v1.Phases.$Shape} Phases
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Phases.decodeDelimited = function(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.size());
            };

            /**
             * Verifies a Phases message.
             * @function verify
             * @memberof crossprobe.v1.Phases
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Phases.verify = function (m, q) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    return "max depth exceeded";
                var p = {};
                if (m.dns != null && $Object.hasOwnProperty.call(m, "dns")) {
                    p._dns = 1;
                    if (typeof m.dns !== "number")
                        return "dns: number expected";
                }
                if (m.connect != null && $Object.hasOwnProperty.call(m, "connect")) {
                    p._connect = 1;
                    if (typeof m.connect !== "number")
                        return "connect: number expected";
                }
                if (m.tls != null && $Object.hasOwnProperty.call(m, "tls")) {
                    p._tls = 1;
                    if (typeof m.tls !== "number")
                        return "tls: number expected";
                }
                if (m.firstByte != null && $Object.hasOwnProperty.call(m, "firstByte")) {
                    p._firstByte = 1;
                    if (typeof m.firstByte !== "number")
                        return "firstByte: number expected";
                }
                if (m.download != null && $Object.hasOwnProperty.call(m, "download")) {
                    p._download = 1;
                    if (typeof m.download !== "number")
                        return "download: number expected";
                }
                if (m.total != null && $Object.hasOwnProperty.call(m, "total")) {
                    p._total = 1;
                    if (typeof m.total !== "number")
                        return "total: number expected";
                }
                return null;
            };

            /**
             * Creates a Phases message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof crossprobe.v1.Phases
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {crossprobe.v1.Phases} Phases
             */
            Phases.fromObject = function (d, q) {
                if (d instanceof $root.crossprobe.v1.Phases)
                    return d;
                if (!$util.isObject(d))
                    throw $TypeError(".crossprobe.v1.Phases: object expected");
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                var m = new $root.crossprobe.v1.Phases();
                if (d.dns != null) {
                    m.dns = $Number(d.dns);
                }
                if (d.connect != null) {
                    m.connect = $Number(d.connect);
                }
                if (d.tls != null) {
                    m.tls = $Number(d.tls);
                }
                if (d.firstByte != null) {
                    m.firstByte = $Number(d.firstByte);
                }
                if (d.download != null) {
                    m.download = $Number(d.download);
                }
                if (d.total != null) {
                    m.total = $Number(d.total);
                }
                return m;
            };

            /**
             * Creates a plain object from a Phases message. Also converts values to other types if specified.
             * @function toObject
             * @memberof crossprobe.v1.Phases
             * @static
             * @param {crossprobe.v1.Phases} m Phases
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Phases.toObject = function (m, o, q) {
                if (!o)
                    o = {};
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                var d = {};
                if (m.dns != null && $Object.hasOwnProperty.call(m, "dns")) {
                    d.dns = o.json && !$isFinite(m.dns) ? $String(m.dns) : m.dns;
                }
                if (m.connect != null && $Object.hasOwnProperty.call(m, "connect")) {
                    d.connect = o.json && !$isFinite(m.connect) ? $String(m.connect) : m.connect;
                }
                if (m.tls != null && $Object.hasOwnProperty.call(m, "tls")) {
                    d.tls = o.json && !$isFinite(m.tls) ? $String(m.tls) : m.tls;
                }
                if (m.firstByte != null && $Object.hasOwnProperty.call(m, "firstByte")) {
                    d.firstByte = o.json && !$isFinite(m.firstByte) ? $String(m.firstByte) : m.firstByte;
                }
                if (m.download != null && $Object.hasOwnProperty.call(m, "download")) {
                    d.download = o.json && !$isFinite(m.download) ? $String(m.download) : m.download;
                }
                if (m.total != null && $Object.hasOwnProperty.call(m, "total")) {
                    d.total = o.json && !$isFinite(m.total) ? $String(m.total) : m.total;
                }
                return d;
            };

            /**
             * Converts this Phases to JSON.
             * @function toJSON
             * @memberof crossprobe.v1.Phases
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Phases.prototype.toJSON = function() {
                return Phases.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the type url for Phases
             * @function getTypeUrl
             * @memberof crossprobe.v1.Phases
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Phases.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/crossprobe.v1.Phases";
            };

            return Phases;
        })();

        v1.ProbeResult = (function() {

            /**
             * Properties of a ProbeResult.
             * @typedef {Object} crossprobe.v1.ProbeResult.$Properties
             * @property {string|null} [resultId] ProbeResult resultId
             * @property {string|null} [agent] ProbeResult agent
             * @property {string|null} [region] ProbeResult region
             * @property {string|null} [target] ProbeResult target
             * @property {string|null} [url] ProbeResult url
             * @property {number|null} [startedAtMs] ProbeResult startedAtMs
             * @property {number|null} [roundAtMs] ProbeResult roundAtMs
             * @property {crossprobe.v1.Phases.$Properties|null} [phases] ProbeResult phases
             * @property {boolean|null} [ok] ProbeResult ok
             * @property {crossprobe.v1.FailureCode|null} [failure] ProbeResult failure
             * @property {string|null} [failureDetail] ProbeResult failureDetail
             * @property {number|null} [status] ProbeResult status
             * @property {string|null} [ip] ProbeResult ip
             * @property {number|null} [ipFamily] ProbeResult ipFamily
             * @property {string|null} [sourceAddress] ProbeResult sourceAddress
             * @property {Object.<string,string>|null} [headers] ProbeResult headers
             * @property {Object.<string,string>|null} [identity] ProbeResult identity
             * @property {crossprobe.v1.BodyMatch|null} [bodyMatch] ProbeResult bodyMatch
             * @property {number|null} [bodyBytes] ProbeResult bodyBytes
             * @property {boolean|null} [bodyTruncated] ProbeResult bodyTruncated
             * @property {crossprobe.v1.Provenance|null} [provenance] ProbeResult provenance
             * @property {number|null} [tlsCertNotAfterMs] ProbeResult tlsCertNotAfterMs
             * @property {string|null} [method] ProbeResult method
             * @property {number|null} [ipsInRound] ProbeResult ipsInRound
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a ProbeResult.
             * @memberof crossprobe.v1
             * @interface IProbeResult
             * @augments crossprobe.v1.ProbeResult.$Properties
             * @deprecated Use crossprobe.v1.ProbeResult.$Properties instead.
             */

            /**
             * Shape of a ProbeResult.
             * @typedef {crossprobe.v1.ProbeResult.$Properties} crossprobe.v1.ProbeResult.$Shape
             */

            /**
             * Constructs a new ProbeResult.
             * @memberof crossprobe.v1
             * @classdesc Represents a ProbeResult.
             * @constructor
             * @param {crossprobe.v1.ProbeResult.$Properties=} [p] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const ProbeResult = function (p) {
                this.headers = {};
                this.identity = {};
                if (p)
                    for (var ks = $Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            };

            /**
             * ProbeResult resultId.
             * @member {string} resultId
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.resultId = "";

            /**
             * ProbeResult agent.
             * @member {string} agent
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.agent = "";

            /**
             * ProbeResult region.
             * @member {string} region
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.region = "";

            /**
             * ProbeResult target.
             * @member {string} target
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.target = "";

            /**
             * ProbeResult url.
             * @member {string} url
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.url = "";

            /**
             * ProbeResult startedAtMs.
             * @member {number} startedAtMs
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.startedAtMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * ProbeResult roundAtMs.
             * @member {number} roundAtMs
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.roundAtMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * ProbeResult phases.
             * @member {crossprobe.v1.Phases.$Properties|null|undefined} phases
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.phases = null;

            /**
             * ProbeResult ok.
             * @member {boolean} ok
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.ok = false;

            /**
             * ProbeResult failure.
             * @member {crossprobe.v1.FailureCode} failure
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.failure = 0;

            /**
             * ProbeResult failureDetail.
             * @member {string} failureDetail
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.failureDetail = "";

            /**
             * ProbeResult status.
             * @member {number|null|undefined} status
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.status = null;

            /**
             * ProbeResult ip.
             * @member {string} ip
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.ip = "";

            /**
             * ProbeResult ipFamily.
             * @member {number} ipFamily
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.ipFamily = 0;

            /**
             * ProbeResult sourceAddress.
             * @member {string} sourceAddress
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.sourceAddress = "";

            /**
             * ProbeResult headers.
             * @member {Object.<string,string>} headers
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.headers = $util.emptyObject;

            /**
             * ProbeResult identity.
             * @member {Object.<string,string>} identity
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.identity = $util.emptyObject;

            /**
             * ProbeResult bodyMatch.
             * @member {crossprobe.v1.BodyMatch} bodyMatch
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.bodyMatch = 0;

            /**
             * ProbeResult bodyBytes.
             * @member {number} bodyBytes
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.bodyBytes = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * ProbeResult bodyTruncated.
             * @member {boolean} bodyTruncated
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.bodyTruncated = false;

            /**
             * ProbeResult provenance.
             * @member {crossprobe.v1.Provenance} provenance
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.provenance = 0;

            /**
             * ProbeResult tlsCertNotAfterMs.
             * @member {number|null|undefined} tlsCertNotAfterMs
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.tlsCertNotAfterMs = null;

            /**
             * ProbeResult method.
             * @member {string} method
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.method = "";

            /**
             * ProbeResult ipsInRound.
             * @member {number} ipsInRound
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             */
            ProbeResult.prototype.ipsInRound = 0;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            // Virtual OneOf for proto3 optional field
            $Object.defineProperty(ProbeResult.prototype, "_status", {
                get: $util.oneOfGetter($oneOfFields = ["status"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            // Virtual OneOf for proto3 optional field
            $Object.defineProperty(ProbeResult.prototype, "_tlsCertNotAfterMs", {
                get: $util.oneOfGetter($oneOfFields = ["tlsCertNotAfterMs"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new ProbeResult instance using the specified properties.
             * @function create
             * @memberof crossprobe.v1.ProbeResult
             * @static
             * @param {crossprobe.v1.ProbeResult.$Properties=} [properties] Properties to set
             * @returns {crossprobe.v1.ProbeResult} ProbeResult instance
             * @type {{
             *   (properties: crossprobe.v1.ProbeResult.$Shape): crossprobe.v1.ProbeResult & crossprobe.v1.ProbeResult.$Shape;
             *   (properties?: crossprobe.v1.ProbeResult.$Properties): crossprobe.v1.ProbeResult;
             * }}
             */
            ProbeResult.create = function(properties) {
                return new ProbeResult(properties);
            };

            /**
             * Encodes the specified ProbeResult message. Does not implicitly {@link crossprobe.v1.ProbeResult.verify|verify} messages.
             * @function encode
             * @memberof crossprobe.v1.ProbeResult
             * @static
             * @param {crossprobe.v1.ProbeResult.$Properties} m ProbeResult message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ProbeResult.encode = function (m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (m.resultId != null && $Object.hasOwnProperty.call(m, "resultId") && m.resultId !== "")
                    w.uint32(/* id 1, wireType 2 =*/10).string(m.resultId);
                if (m.agent != null && $Object.hasOwnProperty.call(m, "agent") && m.agent !== "")
                    w.uint32(/* id 2, wireType 2 =*/18).string(m.agent);
                if (m.region != null && $Object.hasOwnProperty.call(m, "region") && m.region !== "")
                    w.uint32(/* id 3, wireType 2 =*/26).string(m.region);
                if (m.target != null && $Object.hasOwnProperty.call(m, "target") && m.target !== "")
                    w.uint32(/* id 4, wireType 2 =*/34).string(m.target);
                if (m.url != null && $Object.hasOwnProperty.call(m, "url") && m.url !== "")
                    w.uint32(/* id 5, wireType 2 =*/42).string(m.url);
                if (m.startedAtMs != null && $Object.hasOwnProperty.call(m, "startedAtMs") && (typeof m.startedAtMs === "object" ? m.startedAtMs.low || m.startedAtMs.high : m.startedAtMs !== 0))
                    w.uint32(/* id 6, wireType 0 =*/48).int64(m.startedAtMs);
                if (m.roundAtMs != null && $Object.hasOwnProperty.call(m, "roundAtMs") && (typeof m.roundAtMs === "object" ? m.roundAtMs.low || m.roundAtMs.high : m.roundAtMs !== 0))
                    w.uint32(/* id 7, wireType 0 =*/56).int64(m.roundAtMs);
                if (m.phases != null && $Object.hasOwnProperty.call(m, "phases"))
                    $root.crossprobe.v1.Phases.encode(m.phases, w.uint32(/* id 8, wireType 2 =*/66).fork(), q + 1).ldelim();
                if (m.ok != null && $Object.hasOwnProperty.call(m, "ok") && m.ok !== false)
                    w.uint32(/* id 9, wireType 0 =*/72).bool(m.ok);
                if (m.failure != null && $Object.hasOwnProperty.call(m, "failure") && m.failure !== 0)
                    w.uint32(/* id 10, wireType 0 =*/80).int32(m.failure);
                if (m.failureDetail != null && $Object.hasOwnProperty.call(m, "failureDetail") && m.failureDetail !== "")
                    w.uint32(/* id 11, wireType 2 =*/90).string(m.failureDetail);
                if (m.status != null && $Object.hasOwnProperty.call(m, "status"))
                    w.uint32(/* id 12, wireType 0 =*/96).uint32(m.status);
                if (m.ip != null && $Object.hasOwnProperty.call(m, "ip") && m.ip !== "")
                    w.uint32(/* id 13, wireType 2 =*/106).string(m.ip);
                if (m.ipFamily != null && $Object.hasOwnProperty.call(m, "ipFamily") && m.ipFamily !== 0)
                    w.uint32(/* id 14, wireType 0 =*/112).uint32(m.ipFamily);
                if (m.sourceAddress != null && $Object.hasOwnProperty.call(m, "sourceAddress") && m.sourceAddress !== "")
                    w.uint32(/* id 15, wireType 2 =*/122).string(m.sourceAddress);
                if (m.headers != null && $Object.hasOwnProperty.call(m, "headers")) {
                    for (var ks = $Object.keys(m.headers), i = 0; i < ks.length; ++i) {
                        w.uint32(/* id 16, wireType 2 =*/130).fork().uint32(/* id 1, wireType 2 =*/10).string(ks[i]).uint32(/* id 2, wireType 2 =*/18).string(m.headers[ks[i]]).ldelim();
                    }
                }
                if (m.identity != null && $Object.hasOwnProperty.call(m, "identity")) {
                    for (var ks = $Object.keys(m.identity), i = 0; i < ks.length; ++i) {
                        w.uint32(/* id 17, wireType 2 =*/138).fork().uint32(/* id 1, wireType 2 =*/10).string(ks[i]).uint32(/* id 2, wireType 2 =*/18).string(m.identity[ks[i]]).ldelim();
                    }
                }
                if (m.bodyMatch != null && $Object.hasOwnProperty.call(m, "bodyMatch") && m.bodyMatch !== 0)
                    w.uint32(/* id 18, wireType 0 =*/144).int32(m.bodyMatch);
                if (m.bodyBytes != null && $Object.hasOwnProperty.call(m, "bodyBytes") && (typeof m.bodyBytes === "object" ? m.bodyBytes.low || m.bodyBytes.high : m.bodyBytes !== 0))
                    w.uint32(/* id 19, wireType 0 =*/152).uint64(m.bodyBytes);
                if (m.bodyTruncated != null && $Object.hasOwnProperty.call(m, "bodyTruncated") && m.bodyTruncated !== false)
                    w.uint32(/* id 20, wireType 0 =*/160).bool(m.bodyTruncated);
                if (m.provenance != null && $Object.hasOwnProperty.call(m, "provenance") && m.provenance !== 0)
                    w.uint32(/* id 21, wireType 0 =*/168).int32(m.provenance);
                if (m.tlsCertNotAfterMs != null && $Object.hasOwnProperty.call(m, "tlsCertNotAfterMs"))
                    w.uint32(/* id 22, wireType 0 =*/176).int64(m.tlsCertNotAfterMs);
                if (m.method != null && $Object.hasOwnProperty.call(m, "method") && m.method !== "")
                    w.uint32(/* id 23, wireType 2 =*/186).string(m.method);
                if (m.ipsInRound != null && $Object.hasOwnProperty.call(m, "ipsInRound") && m.ipsInRound !== 0)
                    w.uint32(/* id 24, wireType 0 =*/192).uint32(m.ipsInRound);
                if (m.$unknowns != null && $Object.hasOwnProperty.call(m, "$unknowns"))
                    for (var i = 0; i < m.$unknowns.length; ++i)
                        w.raw(m.$unknowns[i]);
                return w;
            };

            /**
             * Encodes the specified ProbeResult message, length delimited. Does not implicitly {@link crossprobe.v1.ProbeResult.verify|verify} messages.
             * @function encodeDelimited
             * @memberof crossprobe.v1.ProbeResult
             * @static
             * @param {crossprobe.v1.ProbeResult.$Properties} message ProbeResult message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ProbeResult.encodeDelimited = function(message, writer) {
                return this.encode(message, (writer || $Writer.create()).fork()).ldelim();
            };

            /**
             * Decodes a ProbeResult message from the specified reader or buffer.
             * @function decode
             * @memberof crossprobe.v1.ProbeResult
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {crossprobe.v1.ProbeResult & crossprobe.v1.ProbeResult.$Shape} ProbeResult
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ProbeResult.decode = function (r, l, z, q, g) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (q === $undefined)
                    q = 0;
                if (q > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                var c, m, k, v;
                if (l === $undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw $RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = g || new $root.crossprobe.v1.ProbeResult();
                while (r.pos < c) {
                    var s = r.pos;
                    var t = r.tag();
                    if (t === z) {
                        z = $undefined;
                        break;
                    }
                    var u = t & 7;
                    switch (t >>>= 3) {
                    case 1: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.resultId = v;
                            else
                                delete m.resultId;
                            continue;
                        }
                    case 2: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.agent = v;
                            else
                                delete m.agent;
                            continue;
                        }
                    case 3: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.region = v;
                            else
                                delete m.region;
                            continue;
                        }
                    case 4: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.target = v;
                            else
                                delete m.target;
                            continue;
                        }
                    case 5: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.url = v;
                            else
                                delete m.url;
                            continue;
                        }
                    case 6: {
                            if (u !== 0)
                                break;
                            if (typeof (v = r.int64()) === "object" ? v.low || v.high : v !== 0)
                                m.startedAtMs = v;
                            else
                                delete m.startedAtMs;
                            continue;
                        }
                    case 7: {
                            if (u !== 0)
                                break;
                            if (typeof (v = r.int64()) === "object" ? v.low || v.high : v !== 0)
                                m.roundAtMs = v;
                            else
                                delete m.roundAtMs;
                            continue;
                        }
                    case 8: {
                            if (u !== 2)
                                break;
                            m.phases = $root.crossprobe.v1.Phases.decode(r, r.size(), $undefined, q + 1, m.phases);
                            continue;
                        }
                    case 9: {
                            if (u !== 0)
                                break;
                            if (v = r.bool())
                                m.ok = v;
                            else
                                delete m.ok;
                            continue;
                        }
                    case 10: {
                            if (u !== 0)
                                break;
                            if (v = r.int32())
                                m.failure = v;
                            else
                                delete m.failure;
                            continue;
                        }
                    case 11: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.failureDetail = v;
                            else
                                delete m.failureDetail;
                            continue;
                        }
                    case 12: {
                            if (u !== 0)
                                break;
                            m.status = r.uint32();
                            m._status = "status";
                            continue;
                        }
                    case 13: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.ip = v;
                            else
                                delete m.ip;
                            continue;
                        }
                    case 14: {
                            if (u !== 0)
                                break;
                            if (v = r.uint32())
                                m.ipFamily = v;
                            else
                                delete m.ipFamily;
                            continue;
                        }
                    case 15: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.sourceAddress = v;
                            else
                                delete m.sourceAddress;
                            continue;
                        }
                    case 16: {
                            if (u !== 2)
                                break;
                            if (m.headers === $util.emptyObject)
                                m.headers = {};
                            var c2 = r.size() + r.pos;
                            if (c2 > r.len)
                                throw $RangeError("index out of range");
                            r.len = c2;
                            k = "";
                            v = "";
                            while (r.pos < c2) {
                                var t2 = r.tag();
                                u = t2 & 7;
                                switch (t2 >>>= 3) {
                                case 1:
                                    if (u !== 2)
                                        break;
                                    k = r.stringVerify();
                                    continue;
                                case 2:
                                    if (u !== 2)
                                        break;
                                    v = r.stringVerify();
                                    continue;
                                }
                                r.skipType(u, q, t2);
                            }
                            if (r.pos !== c2)
                                throw $RangeError("index out of range");
                            r.len = c;
                            if (k === "__proto__")
                                $util.makeProp(m.headers, k);
                            m.headers[k] = v;
                            continue;
                        }
                    case 17: {
                            if (u !== 2)
                                break;
                            if (m.identity === $util.emptyObject)
                                m.identity = {};
                            var c2 = r.size() + r.pos;
                            if (c2 > r.len)
                                throw $RangeError("index out of range");
                            r.len = c2;
                            k = "";
                            v = "";
                            while (r.pos < c2) {
                                var t2 = r.tag();
                                u = t2 & 7;
                                switch (t2 >>>= 3) {
                                case 1:
                                    if (u !== 2)
                                        break;
                                    k = r.stringVerify();
                                    continue;
                                case 2:
                                    if (u !== 2)
                                        break;
                                    v = r.stringVerify();
                                    continue;
                                }
                                r.skipType(u, q, t2);
                            }
                            if (r.pos !== c2)
                                throw $RangeError("index out of range");
                            r.len = c;
                            if (k === "__proto__")
                                $util.makeProp(m.identity, k);
                            m.identity[k] = v;
                            continue;
                        }
                    case 18: {
                            if (u !== 0)
                                break;
                            if (v = r.int32())
                                m.bodyMatch = v;
                            else
                                delete m.bodyMatch;
                            continue;
                        }
                    case 19: {
                            if (u !== 0)
                                break;
                            if (typeof (v = r.uint64()) === "object" ? v.low || v.high : v !== 0)
                                m.bodyBytes = v;
                            else
                                delete m.bodyBytes;
                            continue;
                        }
                    case 20: {
                            if (u !== 0)
                                break;
                            if (v = r.bool())
                                m.bodyTruncated = v;
                            else
                                delete m.bodyTruncated;
                            continue;
                        }
                    case 21: {
                            if (u !== 0)
                                break;
                            if (v = r.int32())
                                m.provenance = v;
                            else
                                delete m.provenance;
                            continue;
                        }
                    case 22: {
                            if (u !== 0)
                                break;
                            m.tlsCertNotAfterMs = r.int64();
                            m._tlsCertNotAfterMs = "tlsCertNotAfterMs";
                            continue;
                        }
                    case 23: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.method = v;
                            else
                                delete m.method;
                            continue;
                        }
                    case 24: {
                            if (u !== 0)
                                break;
                            if (v = r.uint32())
                                m.ipsInRound = v;
                            else
                                delete m.ipsInRound;
                            continue;
                        }
                    }
                    r.skipType(u, q, t);
                    if (!r.discardUnknown) {
                        $util.makeProp(m, "$unknowns", false);
                        (m.$unknowns || (m.$unknowns = [])).push(r.raw(s, r.pos));
                    }
                }
                if (l !== $undefined) {
                    if (r.pos !== c)
                        throw $RangeError("index out of range");
                    r.len = l;
                }
                if (z !== $undefined)
                    throw $Error("missing end group");
                return m;
            };

            /**
             * Decodes a ProbeResult message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof crossprobe.v1.ProbeResult
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {crossprobe.v1.ProbeResult & crossprobe.v1.ProbeResult.$Shape} ProbeResult
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ProbeResult.decodeDelimited = function(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.size());
            };

            /**
             * Verifies a ProbeResult message.
             * @function verify
             * @memberof crossprobe.v1.ProbeResult
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            ProbeResult.verify = function (m, q) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    return "max depth exceeded";
                var p = {};
                if (m.resultId != null && $Object.hasOwnProperty.call(m, "resultId")) {
                    if (!$util.isString(m.resultId))
                        return "resultId: string expected";
                }
                if (m.agent != null && $Object.hasOwnProperty.call(m, "agent")) {
                    if (!$util.isString(m.agent))
                        return "agent: string expected";
                }
                if (m.region != null && $Object.hasOwnProperty.call(m, "region")) {
                    if (!$util.isString(m.region))
                        return "region: string expected";
                }
                if (m.target != null && $Object.hasOwnProperty.call(m, "target")) {
                    if (!$util.isString(m.target))
                        return "target: string expected";
                }
                if (m.url != null && $Object.hasOwnProperty.call(m, "url")) {
                    if (!$util.isString(m.url))
                        return "url: string expected";
                }
                if (m.startedAtMs != null && $Object.hasOwnProperty.call(m, "startedAtMs")) {
                    if (!$util.isInteger(m.startedAtMs) && !(m.startedAtMs && $util.isInteger(m.startedAtMs.low) && $util.isInteger(m.startedAtMs.high)))
                        return "startedAtMs: integer|Long expected";
                }
                if (m.roundAtMs != null && $Object.hasOwnProperty.call(m, "roundAtMs")) {
                    if (!$util.isInteger(m.roundAtMs) && !(m.roundAtMs && $util.isInteger(m.roundAtMs.low) && $util.isInteger(m.roundAtMs.high)))
                        return "roundAtMs: integer|Long expected";
                }
                if (m.phases != null && $Object.hasOwnProperty.call(m, "phases")) {
                    {
                        var e = $root.crossprobe.v1.Phases.verify(m.phases, q + 1);
                        if (e)
                            return "phases." + e;
                    }
                }
                if (m.ok != null && $Object.hasOwnProperty.call(m, "ok")) {
                    if (typeof m.ok !== "boolean")
                        return "ok: boolean expected";
                }
                if (m.failure != null && $Object.hasOwnProperty.call(m, "failure")) {
                    if (typeof m.failure !== "number" || (m.failure | 0) !== m.failure)
                        return "failure: enum value expected";
                }
                if (m.failureDetail != null && $Object.hasOwnProperty.call(m, "failureDetail")) {
                    if (!$util.isString(m.failureDetail))
                        return "failureDetail: string expected";
                }
                if (m.status != null && $Object.hasOwnProperty.call(m, "status")) {
                    p._status = 1;
                    if (!$util.isInteger(m.status))
                        return "status: integer expected";
                }
                if (m.ip != null && $Object.hasOwnProperty.call(m, "ip")) {
                    if (!$util.isString(m.ip))
                        return "ip: string expected";
                }
                if (m.ipFamily != null && $Object.hasOwnProperty.call(m, "ipFamily")) {
                    if (!$util.isInteger(m.ipFamily))
                        return "ipFamily: integer expected";
                }
                if (m.sourceAddress != null && $Object.hasOwnProperty.call(m, "sourceAddress")) {
                    if (!$util.isString(m.sourceAddress))
                        return "sourceAddress: string expected";
                }
                if (m.headers != null && $Object.hasOwnProperty.call(m, "headers")) {
                    if (!$util.isObject(m.headers))
                        return "headers: object expected";
                    var k = $Object.keys(m.headers);
                    for (var i = 0; i < k.length; ++i) {
                        if (!$util.isString(m.headers[k[i]]))
                            return "headers: string{k:string} expected";
                    }
                }
                if (m.identity != null && $Object.hasOwnProperty.call(m, "identity")) {
                    if (!$util.isObject(m.identity))
                        return "identity: object expected";
                    var k = $Object.keys(m.identity);
                    for (var i = 0; i < k.length; ++i) {
                        if (!$util.isString(m.identity[k[i]]))
                            return "identity: string{k:string} expected";
                    }
                }
                if (m.bodyMatch != null && $Object.hasOwnProperty.call(m, "bodyMatch")) {
                    if (typeof m.bodyMatch !== "number" || (m.bodyMatch | 0) !== m.bodyMatch)
                        return "bodyMatch: enum value expected";
                }
                if (m.bodyBytes != null && $Object.hasOwnProperty.call(m, "bodyBytes")) {
                    if (!$util.isInteger(m.bodyBytes) && !(m.bodyBytes && $util.isInteger(m.bodyBytes.low) && $util.isInteger(m.bodyBytes.high)))
                        return "bodyBytes: integer|Long expected";
                }
                if (m.bodyTruncated != null && $Object.hasOwnProperty.call(m, "bodyTruncated")) {
                    if (typeof m.bodyTruncated !== "boolean")
                        return "bodyTruncated: boolean expected";
                }
                if (m.provenance != null && $Object.hasOwnProperty.call(m, "provenance")) {
                    if (typeof m.provenance !== "number" || (m.provenance | 0) !== m.provenance)
                        return "provenance: enum value expected";
                }
                if (m.tlsCertNotAfterMs != null && $Object.hasOwnProperty.call(m, "tlsCertNotAfterMs")) {
                    p._tlsCertNotAfterMs = 1;
                    if (!$util.isInteger(m.tlsCertNotAfterMs) && !(m.tlsCertNotAfterMs && $util.isInteger(m.tlsCertNotAfterMs.low) && $util.isInteger(m.tlsCertNotAfterMs.high)))
                        return "tlsCertNotAfterMs: integer|Long expected";
                }
                if (m.method != null && $Object.hasOwnProperty.call(m, "method")) {
                    if (!$util.isString(m.method))
                        return "method: string expected";
                }
                if (m.ipsInRound != null && $Object.hasOwnProperty.call(m, "ipsInRound")) {
                    if (!$util.isInteger(m.ipsInRound))
                        return "ipsInRound: integer expected";
                }
                return null;
            };

            /**
             * Creates a ProbeResult message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof crossprobe.v1.ProbeResult
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {crossprobe.v1.ProbeResult} ProbeResult
             */
            ProbeResult.fromObject = function (d, q) {
                if (d instanceof $root.crossprobe.v1.ProbeResult)
                    return d;
                if (!$util.isObject(d))
                    throw $TypeError(".crossprobe.v1.ProbeResult: object expected");
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                var m = new $root.crossprobe.v1.ProbeResult();
                if (d.resultId != null) {
                    if (typeof d.resultId !== "string" || d.resultId.length) {
                        m.resultId = $String(d.resultId);
                    }
                }
                if (d.agent != null) {
                    if (typeof d.agent !== "string" || d.agent.length) {
                        m.agent = $String(d.agent);
                    }
                }
                if (d.region != null) {
                    if (typeof d.region !== "string" || d.region.length) {
                        m.region = $String(d.region);
                    }
                }
                if (d.target != null) {
                    if (typeof d.target !== "string" || d.target.length) {
                        m.target = $String(d.target);
                    }
                }
                if (d.url != null) {
                    if (typeof d.url !== "string" || d.url.length) {
                        m.url = $String(d.url);
                    }
                }
                if (d.startedAtMs != null) {
                    if (typeof d.startedAtMs === "object" ? d.startedAtMs.low || d.startedAtMs.high : $Number(d.startedAtMs) !== 0) {
                        if ($util.Long)
                            m.startedAtMs = $util.Long.fromValue(d.startedAtMs, false);
                        else if (typeof d.startedAtMs === "string")
                            m.startedAtMs = $parseInt(d.startedAtMs, 10);
                        else if (typeof d.startedAtMs === "number")
                            m.startedAtMs = d.startedAtMs;
                        else if (typeof d.startedAtMs === "object")
                            m.startedAtMs = new $util.LongBits(d.startedAtMs.low >>> 0, d.startedAtMs.high >>> 0).toNumber();
                    }
                }
                if (d.roundAtMs != null) {
                    if (typeof d.roundAtMs === "object" ? d.roundAtMs.low || d.roundAtMs.high : $Number(d.roundAtMs) !== 0) {
                        if ($util.Long)
                            m.roundAtMs = $util.Long.fromValue(d.roundAtMs, false);
                        else if (typeof d.roundAtMs === "string")
                            m.roundAtMs = $parseInt(d.roundAtMs, 10);
                        else if (typeof d.roundAtMs === "number")
                            m.roundAtMs = d.roundAtMs;
                        else if (typeof d.roundAtMs === "object")
                            m.roundAtMs = new $util.LongBits(d.roundAtMs.low >>> 0, d.roundAtMs.high >>> 0).toNumber();
                    }
                }
                if (d.phases != null) {
                    if (!$util.isObject(d.phases))
                        throw $TypeError(".crossprobe.v1.ProbeResult.phases: object expected");
                    m.phases = $root.crossprobe.v1.Phases.fromObject(d.phases, q + 1);
                }
                if (d.ok != null) {
                    if (d.ok) {
                        m.ok = $Boolean(d.ok);
                    }
                }
                if (d.failure !== 0 && (typeof d.failure !== "string" || $root.crossprobe.v1.FailureCode[d.failure] !== 0)) {
                    switch (d.failure) {
                    case "FAILURE_CODE_UNSPECIFIED":
                    case 0:
                        m.failure = 0;
                        break;
                    case "DNS_NXDOMAIN":
                    case 1:
                        m.failure = 1;
                        break;
                    case "DNS_SERVFAIL":
                    case 2:
                        m.failure = 2;
                        break;
                    case "DNS_TIMEOUT":
                    case 3:
                        m.failure = 3;
                        break;
                    case "CONNECT_REFUSED":
                    case 4:
                        m.failure = 4;
                        break;
                    case "CONNECT_TIMEOUT":
                    case 5:
                        m.failure = 5;
                        break;
                    case "CONNECT_RESET":
                    case 6:
                        m.failure = 6;
                        break;
                    case "NET_UNREACHABLE":
                    case 7:
                        m.failure = 7;
                        break;
                    case "TLS_HANDSHAKE":
                    case 8:
                        m.failure = 8;
                        break;
                    case "TLS_CERT_EXPIRED":
                    case 9:
                        m.failure = 9;
                        break;
                    case "TLS_CERT_INVALID":
                    case 10:
                        m.failure = 10;
                        break;
                    case "HEADERS_TIMEOUT":
                    case 11:
                        m.failure = 11;
                        break;
                    case "BODY_TIMEOUT":
                    case 12:
                        m.failure = 12;
                        break;
                    case "RESET_MID_BODY":
                    case 13:
                        m.failure = 13;
                        break;
                    case "HTTP_STATUS":
                    case 14:
                        m.failure = 14;
                        break;
                    case "BODY_MISMATCH":
                    case 15:
                        m.failure = 15;
                        break;
                    case "ADDRESS_BLOCKED":
                    case 16:
                        m.failure = 16;
                        break;
                    default:
                        if (typeof d.failure === "number" && (d.failure | 0) === d.failure)
                            m.failure = d.failure;
                    }
                }
                if (d.failureDetail != null) {
                    if (typeof d.failureDetail !== "string" || d.failureDetail.length) {
                        m.failureDetail = $String(d.failureDetail);
                    }
                }
                if (d.status != null) {
                    m.status = d.status >>> 0;
                }
                if (d.ip != null) {
                    if (typeof d.ip !== "string" || d.ip.length) {
                        m.ip = $String(d.ip);
                    }
                }
                if (d.ipFamily != null) {
                    if ($Number(d.ipFamily) !== 0) {
                        m.ipFamily = d.ipFamily >>> 0;
                    }
                }
                if (d.sourceAddress != null) {
                    if (typeof d.sourceAddress !== "string" || d.sourceAddress.length) {
                        m.sourceAddress = $String(d.sourceAddress);
                    }
                }
                if (d.headers) {
                    if (!$util.isObject(d.headers))
                        throw $TypeError(".crossprobe.v1.ProbeResult.headers: object expected");
                    m.headers = {};
                    for (var ks = $Object.keys(d.headers), i = 0; i < ks.length; ++i) {
                        if (ks[i] === "__proto__")
                            $util.makeProp(m.headers, ks[i]);
                        m.headers[ks[i]] = $String(d.headers[ks[i]]);
                    }
                }
                if (d.identity) {
                    if (!$util.isObject(d.identity))
                        throw $TypeError(".crossprobe.v1.ProbeResult.identity: object expected");
                    m.identity = {};
                    for (var ks = $Object.keys(d.identity), i = 0; i < ks.length; ++i) {
                        if (ks[i] === "__proto__")
                            $util.makeProp(m.identity, ks[i]);
                        m.identity[ks[i]] = $String(d.identity[ks[i]]);
                    }
                }
                if (d.bodyMatch !== 0 && (typeof d.bodyMatch !== "string" || $root.crossprobe.v1.BodyMatch[d.bodyMatch] !== 0)) {
                    switch (d.bodyMatch) {
                    case "BODY_MATCH_UNSPECIFIED":
                    case 0:
                        m.bodyMatch = 0;
                        break;
                    case "BODY_MATCH_MATCHED":
                    case 1:
                        m.bodyMatch = 1;
                        break;
                    case "BODY_MATCH_MISMATCHED":
                    case 2:
                        m.bodyMatch = 2;
                        break;
                    default:
                        if (typeof d.bodyMatch === "number" && (d.bodyMatch | 0) === d.bodyMatch)
                            m.bodyMatch = d.bodyMatch;
                    }
                }
                if (d.bodyBytes != null) {
                    if (typeof d.bodyBytes === "object" ? d.bodyBytes.low || d.bodyBytes.high : $Number(d.bodyBytes) !== 0) {
                        if ($util.Long)
                            m.bodyBytes = $util.Long.fromValue(d.bodyBytes, true);
                        else if (typeof d.bodyBytes === "string")
                            m.bodyBytes = $parseInt(d.bodyBytes, 10);
                        else if (typeof d.bodyBytes === "number")
                            m.bodyBytes = d.bodyBytes;
                        else if (typeof d.bodyBytes === "object")
                            m.bodyBytes = new $util.LongBits(d.bodyBytes.low >>> 0, d.bodyBytes.high >>> 0).toNumber(true);
                    }
                }
                if (d.bodyTruncated != null) {
                    if (d.bodyTruncated) {
                        m.bodyTruncated = $Boolean(d.bodyTruncated);
                    }
                }
                if (d.provenance !== 0 && (typeof d.provenance !== "string" || $root.crossprobe.v1.Provenance[d.provenance] !== 0)) {
                    switch (d.provenance) {
                    case "PROVENANCE_UNSPECIFIED":
                    case 0:
                        m.provenance = 0;
                        break;
                    case "PROVENANCE_UNKNOWN":
                    case 1:
                        m.provenance = 1;
                        break;
                    case "PROVENANCE_APP":
                    case 2:
                        m.provenance = 2;
                        break;
                    case "PROVENANCE_NGINX":
                    case 3:
                        m.provenance = 3;
                        break;
                    case "PROVENANCE_HAPROXY":
                    case 4:
                        m.provenance = 4;
                        break;
                    case "PROVENANCE_ENVOY":
                    case 5:
                        m.provenance = 5;
                        break;
                    case "PROVENANCE_CLOUDFLARE":
                    case 6:
                        m.provenance = 6;
                        break;
                    case "PROVENANCE_AWS_ELB":
                    case 7:
                        m.provenance = 7;
                        break;
                    case "PROVENANCE_CLOUDFRONT":
                    case 8:
                        m.provenance = 8;
                        break;
                    case "PROVENANCE_VARNISH":
                    case 9:
                        m.provenance = 9;
                        break;
                    case "PROVENANCE_TRAEFIK":
                    case 10:
                        m.provenance = 10;
                        break;
                    case "PROVENANCE_CADDY":
                    case 11:
                        m.provenance = 11;
                        break;
                    default:
                        if (typeof d.provenance === "number" && (d.provenance | 0) === d.provenance)
                            m.provenance = d.provenance;
                    }
                }
                if (d.tlsCertNotAfterMs != null) {
                    if ($util.Long)
                        m.tlsCertNotAfterMs = $util.Long.fromValue(d.tlsCertNotAfterMs, false);
                    else if (typeof d.tlsCertNotAfterMs === "string")
                        m.tlsCertNotAfterMs = $parseInt(d.tlsCertNotAfterMs, 10);
                    else if (typeof d.tlsCertNotAfterMs === "number")
                        m.tlsCertNotAfterMs = d.tlsCertNotAfterMs;
                    else if (typeof d.tlsCertNotAfterMs === "object")
                        m.tlsCertNotAfterMs = new $util.LongBits(d.tlsCertNotAfterMs.low >>> 0, d.tlsCertNotAfterMs.high >>> 0).toNumber();
                }
                if (d.method != null) {
                    if (typeof d.method !== "string" || d.method.length) {
                        m.method = $String(d.method);
                    }
                }
                if (d.ipsInRound != null) {
                    if ($Number(d.ipsInRound) !== 0) {
                        m.ipsInRound = d.ipsInRound >>> 0;
                    }
                }
                return m;
            };

            /**
             * Creates a plain object from a ProbeResult message. Also converts values to other types if specified.
             * @function toObject
             * @memberof crossprobe.v1.ProbeResult
             * @static
             * @param {crossprobe.v1.ProbeResult} m ProbeResult
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            ProbeResult.toObject = function (m, o, q) {
                if (!o)
                    o = {};
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                var d = {};
                if (o.objects || o.defaults) {
                    d.headers = {};
                    d.identity = {};
                }
                if (o.defaults) {
                    d.resultId = "";
                    d.agent = "";
                    d.region = "";
                    d.target = "";
                    d.url = "";
                    if ($util.Long) {
                        var n = new $util.Long(0, 0, false);
                        d.startedAtMs = o.longs === $String ? n.toString() : o.longs === $Number ? n.toNumber() : typeof $BigInt !== "undefined" && o.longs === $BigInt ? n.toBigInt() : n;
                    } else
                        d.startedAtMs = o.longs === $String ? "0" : typeof $BigInt !== "undefined" && o.longs === $BigInt ? $BigInt("0") : 0;
                    if ($util.Long) {
                        var n = new $util.Long(0, 0, false);
                        d.roundAtMs = o.longs === $String ? n.toString() : o.longs === $Number ? n.toNumber() : typeof $BigInt !== "undefined" && o.longs === $BigInt ? n.toBigInt() : n;
                    } else
                        d.roundAtMs = o.longs === $String ? "0" : typeof $BigInt !== "undefined" && o.longs === $BigInt ? $BigInt("0") : 0;
                    d.phases = null;
                    d.ok = false;
                    d.failure = o.enums === $String ? "FAILURE_CODE_UNSPECIFIED" : 0;
                    d.failureDetail = "";
                    d.ip = "";
                    d.ipFamily = 0;
                    d.sourceAddress = "";
                    d.bodyMatch = o.enums === $String ? "BODY_MATCH_UNSPECIFIED" : 0;
                    if ($util.Long) {
                        var n = new $util.Long(0, 0, true);
                        d.bodyBytes = o.longs === $String ? n.toString() : o.longs === $Number ? n.toNumber() : typeof $BigInt !== "undefined" && o.longs === $BigInt ? n.toBigInt() : n;
                    } else
                        d.bodyBytes = o.longs === $String ? "0" : typeof $BigInt !== "undefined" && o.longs === $BigInt ? $BigInt("0") : 0;
                    d.bodyTruncated = false;
                    d.provenance = o.enums === $String ? "PROVENANCE_UNSPECIFIED" : 0;
                    d.method = "";
                    d.ipsInRound = 0;
                }
                if (m.resultId != null && $Object.hasOwnProperty.call(m, "resultId")) {
                    d.resultId = m.resultId;
                }
                if (m.agent != null && $Object.hasOwnProperty.call(m, "agent")) {
                    d.agent = m.agent;
                }
                if (m.region != null && $Object.hasOwnProperty.call(m, "region")) {
                    d.region = m.region;
                }
                if (m.target != null && $Object.hasOwnProperty.call(m, "target")) {
                    d.target = m.target;
                }
                if (m.url != null && $Object.hasOwnProperty.call(m, "url")) {
                    d.url = m.url;
                }
                if (m.startedAtMs != null && $Object.hasOwnProperty.call(m, "startedAtMs")) {
                    if (typeof $BigInt !== "undefined" && o.longs === $BigInt)
                        d.startedAtMs = typeof m.startedAtMs === "number" ? $BigInt(m.startedAtMs) : $util.Long.fromBits(m.startedAtMs.low >>> 0, m.startedAtMs.high >>> 0, false).toBigInt();
                    else if (typeof m.startedAtMs === "number")
                        d.startedAtMs = o.longs === $String ? $String(m.startedAtMs) : m.startedAtMs;
                    else
                        d.startedAtMs = o.longs === $String ? $util.Long.prototype.toString.call(m.startedAtMs) : o.longs === $Number ? new $util.LongBits(m.startedAtMs.low >>> 0, m.startedAtMs.high >>> 0).toNumber() : m.startedAtMs;
                }
                if (m.roundAtMs != null && $Object.hasOwnProperty.call(m, "roundAtMs")) {
                    if (typeof $BigInt !== "undefined" && o.longs === $BigInt)
                        d.roundAtMs = typeof m.roundAtMs === "number" ? $BigInt(m.roundAtMs) : $util.Long.fromBits(m.roundAtMs.low >>> 0, m.roundAtMs.high >>> 0, false).toBigInt();
                    else if (typeof m.roundAtMs === "number")
                        d.roundAtMs = o.longs === $String ? $String(m.roundAtMs) : m.roundAtMs;
                    else
                        d.roundAtMs = o.longs === $String ? $util.Long.prototype.toString.call(m.roundAtMs) : o.longs === $Number ? new $util.LongBits(m.roundAtMs.low >>> 0, m.roundAtMs.high >>> 0).toNumber() : m.roundAtMs;
                }
                if (m.phases != null && $Object.hasOwnProperty.call(m, "phases")) {
                    d.phases = $root.crossprobe.v1.Phases.toObject(m.phases, o, q + 1);
                }
                if (m.ok != null && $Object.hasOwnProperty.call(m, "ok")) {
                    d.ok = m.ok;
                }
                if (m.failure != null && $Object.hasOwnProperty.call(m, "failure")) {
                    d.failure = o.enums === $String ? $root.crossprobe.v1.FailureCode[m.failure] === $undefined ? m.failure : $root.crossprobe.v1.FailureCode[m.failure] : m.failure;
                }
                if (m.failureDetail != null && $Object.hasOwnProperty.call(m, "failureDetail")) {
                    d.failureDetail = m.failureDetail;
                }
                if (m.status != null && $Object.hasOwnProperty.call(m, "status")) {
                    d.status = m.status;
                }
                if (m.ip != null && $Object.hasOwnProperty.call(m, "ip")) {
                    d.ip = m.ip;
                }
                if (m.ipFamily != null && $Object.hasOwnProperty.call(m, "ipFamily")) {
                    d.ipFamily = m.ipFamily;
                }
                if (m.sourceAddress != null && $Object.hasOwnProperty.call(m, "sourceAddress")) {
                    d.sourceAddress = m.sourceAddress;
                }
                var ks2;
                if (m.headers && (ks2 = $Object.keys(m.headers)).length) {
                    d.headers = {};
                    for (var j = 0; j < ks2.length; ++j) {
                        if (ks2[j] === "__proto__")
                            $util.makeProp(d.headers, ks2[j]);
                        d.headers[ks2[j]] = m.headers[ks2[j]];
                    }
                }
                if (m.identity && (ks2 = $Object.keys(m.identity)).length) {
                    d.identity = {};
                    for (var j = 0; j < ks2.length; ++j) {
                        if (ks2[j] === "__proto__")
                            $util.makeProp(d.identity, ks2[j]);
                        d.identity[ks2[j]] = m.identity[ks2[j]];
                    }
                }
                if (m.bodyMatch != null && $Object.hasOwnProperty.call(m, "bodyMatch")) {
                    d.bodyMatch = o.enums === $String ? $root.crossprobe.v1.BodyMatch[m.bodyMatch] === $undefined ? m.bodyMatch : $root.crossprobe.v1.BodyMatch[m.bodyMatch] : m.bodyMatch;
                }
                if (m.bodyBytes != null && $Object.hasOwnProperty.call(m, "bodyBytes")) {
                    if (typeof $BigInt !== "undefined" && o.longs === $BigInt)
                        d.bodyBytes = typeof m.bodyBytes === "number" ? $BigInt(m.bodyBytes) : $util.Long.fromBits(m.bodyBytes.low >>> 0, m.bodyBytes.high >>> 0, true).toBigInt();
                    else if (typeof m.bodyBytes === "number")
                        d.bodyBytes = o.longs === $String ? $String(m.bodyBytes) : m.bodyBytes;
                    else
                        d.bodyBytes = o.longs === $String ? $util.Long.prototype.toString.call(m.bodyBytes) : o.longs === $Number ? new $util.LongBits(m.bodyBytes.low >>> 0, m.bodyBytes.high >>> 0).toNumber(true) : m.bodyBytes;
                }
                if (m.bodyTruncated != null && $Object.hasOwnProperty.call(m, "bodyTruncated")) {
                    d.bodyTruncated = m.bodyTruncated;
                }
                if (m.provenance != null && $Object.hasOwnProperty.call(m, "provenance")) {
                    d.provenance = o.enums === $String ? $root.crossprobe.v1.Provenance[m.provenance] === $undefined ? m.provenance : $root.crossprobe.v1.Provenance[m.provenance] : m.provenance;
                }
                if (m.tlsCertNotAfterMs != null && $Object.hasOwnProperty.call(m, "tlsCertNotAfterMs")) {
                    if (typeof $BigInt !== "undefined" && o.longs === $BigInt)
                        d.tlsCertNotAfterMs = typeof m.tlsCertNotAfterMs === "number" ? $BigInt(m.tlsCertNotAfterMs) : $util.Long.fromBits(m.tlsCertNotAfterMs.low >>> 0, m.tlsCertNotAfterMs.high >>> 0, false).toBigInt();
                    else if (typeof m.tlsCertNotAfterMs === "number")
                        d.tlsCertNotAfterMs = o.longs === $String ? $String(m.tlsCertNotAfterMs) : m.tlsCertNotAfterMs;
                    else
                        d.tlsCertNotAfterMs = o.longs === $String ? $util.Long.prototype.toString.call(m.tlsCertNotAfterMs) : o.longs === $Number ? new $util.LongBits(m.tlsCertNotAfterMs.low >>> 0, m.tlsCertNotAfterMs.high >>> 0).toNumber() : m.tlsCertNotAfterMs;
                }
                if (m.method != null && $Object.hasOwnProperty.call(m, "method")) {
                    d.method = m.method;
                }
                if (m.ipsInRound != null && $Object.hasOwnProperty.call(m, "ipsInRound")) {
                    d.ipsInRound = m.ipsInRound;
                }
                return d;
            };

            /**
             * Converts this ProbeResult to JSON.
             * @function toJSON
             * @memberof crossprobe.v1.ProbeResult
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            ProbeResult.prototype.toJSON = function() {
                return ProbeResult.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the type url for ProbeResult
             * @function getTypeUrl
             * @memberof crossprobe.v1.ProbeResult
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            ProbeResult.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/crossprobe.v1.ProbeResult";
            };

            return ProbeResult;
        })();

        v1.ControlHealth = (function() {

            /**
             * Properties of a ControlHealth.
             * @typedef {Object} crossprobe.v1.ControlHealth.$Properties
             * @property {string|null} [url] ControlHealth url
             * @property {boolean|null} [ok] ControlHealth ok
             * @property {crossprobe.v1.FailureCode|null} [failure] ControlHealth failure
             * @property {number|null} [checkedAtMs] ControlHealth checkedAtMs
             * @property {number|null} [consecutiveFailures] ControlHealth consecutiveFailures
             * @property {number|null} [totalMs] ControlHealth totalMs
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a ControlHealth.
             * @memberof crossprobe.v1
             * @interface IControlHealth
             * @augments crossprobe.v1.ControlHealth.$Properties
             * @deprecated Use crossprobe.v1.ControlHealth.$Properties instead.
             */

            /**
             * Shape of a ControlHealth.
             * @typedef {crossprobe.v1.ControlHealth.$Properties} crossprobe.v1.ControlHealth.$Shape
             */

            /**
             * Constructs a new ControlHealth.
             * @memberof crossprobe.v1
             * @classdesc Represents a ControlHealth.
             * @constructor
             * @param {crossprobe.v1.ControlHealth.$Properties=} [p] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const ControlHealth = function (p) {
                if (p)
                    for (var ks = $Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            };

            /**
             * ControlHealth url.
             * @member {string} url
             * @memberof crossprobe.v1.ControlHealth
             * @instance
             */
            ControlHealth.prototype.url = "";

            /**
             * ControlHealth ok.
             * @member {boolean} ok
             * @memberof crossprobe.v1.ControlHealth
             * @instance
             */
            ControlHealth.prototype.ok = false;

            /**
             * ControlHealth failure.
             * @member {crossprobe.v1.FailureCode} failure
             * @memberof crossprobe.v1.ControlHealth
             * @instance
             */
            ControlHealth.prototype.failure = 0;

            /**
             * ControlHealth checkedAtMs.
             * @member {number} checkedAtMs
             * @memberof crossprobe.v1.ControlHealth
             * @instance
             */
            ControlHealth.prototype.checkedAtMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * ControlHealth consecutiveFailures.
             * @member {number} consecutiveFailures
             * @memberof crossprobe.v1.ControlHealth
             * @instance
             */
            ControlHealth.prototype.consecutiveFailures = 0;

            /**
             * ControlHealth totalMs.
             * @member {number|null|undefined} totalMs
             * @memberof crossprobe.v1.ControlHealth
             * @instance
             */
            ControlHealth.prototype.totalMs = null;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            // Virtual OneOf for proto3 optional field
            $Object.defineProperty(ControlHealth.prototype, "_totalMs", {
                get: $util.oneOfGetter($oneOfFields = ["totalMs"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new ControlHealth instance using the specified properties.
             * @function create
             * @memberof crossprobe.v1.ControlHealth
             * @static
             * @param {crossprobe.v1.ControlHealth.$Properties=} [properties] Properties to set
             * @returns {crossprobe.v1.ControlHealth} ControlHealth instance
             * @type {{
             *   (properties: crossprobe.v1.ControlHealth.$Shape): crossprobe.v1.ControlHealth & crossprobe.v1.ControlHealth.$Shape;
             *   (properties?: crossprobe.v1.ControlHealth.$Properties): crossprobe.v1.ControlHealth;
             * }}
             */
            ControlHealth.create = function(properties) {
                return new ControlHealth(properties);
            };

            /**
             * Encodes the specified ControlHealth message. Does not implicitly {@link crossprobe.v1.ControlHealth.verify|verify} messages.
             * @function encode
             * @memberof crossprobe.v1.ControlHealth
             * @static
             * @param {crossprobe.v1.ControlHealth.$Properties} m ControlHealth message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ControlHealth.encode = function (m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (m.url != null && $Object.hasOwnProperty.call(m, "url") && m.url !== "")
                    w.uint32(/* id 1, wireType 2 =*/10).string(m.url);
                if (m.ok != null && $Object.hasOwnProperty.call(m, "ok") && m.ok !== false)
                    w.uint32(/* id 2, wireType 0 =*/16).bool(m.ok);
                if (m.failure != null && $Object.hasOwnProperty.call(m, "failure") && m.failure !== 0)
                    w.uint32(/* id 3, wireType 0 =*/24).int32(m.failure);
                if (m.checkedAtMs != null && $Object.hasOwnProperty.call(m, "checkedAtMs") && (typeof m.checkedAtMs === "object" ? m.checkedAtMs.low || m.checkedAtMs.high : m.checkedAtMs !== 0))
                    w.uint32(/* id 4, wireType 0 =*/32).int64(m.checkedAtMs);
                if (m.consecutiveFailures != null && $Object.hasOwnProperty.call(m, "consecutiveFailures") && m.consecutiveFailures !== 0)
                    w.uint32(/* id 5, wireType 0 =*/40).uint32(m.consecutiveFailures);
                if (m.totalMs != null && $Object.hasOwnProperty.call(m, "totalMs"))
                    w.uint32(/* id 6, wireType 1 =*/49).double(m.totalMs);
                if (m.$unknowns != null && $Object.hasOwnProperty.call(m, "$unknowns"))
                    for (var i = 0; i < m.$unknowns.length; ++i)
                        w.raw(m.$unknowns[i]);
                return w;
            };

            /**
             * Encodes the specified ControlHealth message, length delimited. Does not implicitly {@link crossprobe.v1.ControlHealth.verify|verify} messages.
             * @function encodeDelimited
             * @memberof crossprobe.v1.ControlHealth
             * @static
             * @param {crossprobe.v1.ControlHealth.$Properties} message ControlHealth message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ControlHealth.encodeDelimited = function(message, writer) {
                return this.encode(message, (writer || $Writer.create()).fork()).ldelim();
            };

            /**
             * Decodes a ControlHealth message from the specified reader or buffer.
             * @function decode
             * @memberof crossprobe.v1.ControlHealth
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {crossprobe.v1.ControlHealth & crossprobe.v1.ControlHealth.$Shape} ControlHealth
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ControlHealth.decode = function (r, l, z, q, g) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (q === $undefined)
                    q = 0;
                if (q > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                var c, m, v;
                if (l === $undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw $RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = g || new $root.crossprobe.v1.ControlHealth();
                while (r.pos < c) {
                    var s = r.pos;
                    var t = r.tag();
                    if (t === z) {
                        z = $undefined;
                        break;
                    }
                    var u = t & 7;
                    switch (t >>>= 3) {
                    case 1: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.url = v;
                            else
                                delete m.url;
                            continue;
                        }
                    case 2: {
                            if (u !== 0)
                                break;
                            if (v = r.bool())
                                m.ok = v;
                            else
                                delete m.ok;
                            continue;
                        }
                    case 3: {
                            if (u !== 0)
                                break;
                            if (v = r.int32())
                                m.failure = v;
                            else
                                delete m.failure;
                            continue;
                        }
                    case 4: {
                            if (u !== 0)
                                break;
                            if (typeof (v = r.int64()) === "object" ? v.low || v.high : v !== 0)
                                m.checkedAtMs = v;
                            else
                                delete m.checkedAtMs;
                            continue;
                        }
                    case 5: {
                            if (u !== 0)
                                break;
                            if (v = r.uint32())
                                m.consecutiveFailures = v;
                            else
                                delete m.consecutiveFailures;
                            continue;
                        }
                    case 6: {
                            if (u !== 1)
                                break;
                            m.totalMs = r.double();
                            m._totalMs = "totalMs";
                            continue;
                        }
                    }
                    r.skipType(u, q, t);
                    if (!r.discardUnknown) {
                        $util.makeProp(m, "$unknowns", false);
                        (m.$unknowns || (m.$unknowns = [])).push(r.raw(s, r.pos));
                    }
                }
                if (l !== $undefined) {
                    if (r.pos !== c)
                        throw $RangeError("index out of range");
                    r.len = l;
                }
                if (z !== $undefined)
                    throw $Error("missing end group");
                return m;
            };

            /**
             * Decodes a ControlHealth message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof crossprobe.v1.ControlHealth
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {crossprobe.v1.ControlHealth & crossprobe.v1.ControlHealth.$Shape} ControlHealth
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ControlHealth.decodeDelimited = function(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.size());
            };

            /**
             * Verifies a ControlHealth message.
             * @function verify
             * @memberof crossprobe.v1.ControlHealth
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            ControlHealth.verify = function (m, q) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    return "max depth exceeded";
                var p = {};
                if (m.url != null && $Object.hasOwnProperty.call(m, "url")) {
                    if (!$util.isString(m.url))
                        return "url: string expected";
                }
                if (m.ok != null && $Object.hasOwnProperty.call(m, "ok")) {
                    if (typeof m.ok !== "boolean")
                        return "ok: boolean expected";
                }
                if (m.failure != null && $Object.hasOwnProperty.call(m, "failure")) {
                    if (typeof m.failure !== "number" || (m.failure | 0) !== m.failure)
                        return "failure: enum value expected";
                }
                if (m.checkedAtMs != null && $Object.hasOwnProperty.call(m, "checkedAtMs")) {
                    if (!$util.isInteger(m.checkedAtMs) && !(m.checkedAtMs && $util.isInteger(m.checkedAtMs.low) && $util.isInteger(m.checkedAtMs.high)))
                        return "checkedAtMs: integer|Long expected";
                }
                if (m.consecutiveFailures != null && $Object.hasOwnProperty.call(m, "consecutiveFailures")) {
                    if (!$util.isInteger(m.consecutiveFailures))
                        return "consecutiveFailures: integer expected";
                }
                if (m.totalMs != null && $Object.hasOwnProperty.call(m, "totalMs")) {
                    p._totalMs = 1;
                    if (typeof m.totalMs !== "number")
                        return "totalMs: number expected";
                }
                return null;
            };

            /**
             * Creates a ControlHealth message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof crossprobe.v1.ControlHealth
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {crossprobe.v1.ControlHealth} ControlHealth
             */
            ControlHealth.fromObject = function (d, q) {
                if (d instanceof $root.crossprobe.v1.ControlHealth)
                    return d;
                if (!$util.isObject(d))
                    throw $TypeError(".crossprobe.v1.ControlHealth: object expected");
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                var m = new $root.crossprobe.v1.ControlHealth();
                if (d.url != null) {
                    if (typeof d.url !== "string" || d.url.length) {
                        m.url = $String(d.url);
                    }
                }
                if (d.ok != null) {
                    if (d.ok) {
                        m.ok = $Boolean(d.ok);
                    }
                }
                if (d.failure !== 0 && (typeof d.failure !== "string" || $root.crossprobe.v1.FailureCode[d.failure] !== 0)) {
                    switch (d.failure) {
                    case "FAILURE_CODE_UNSPECIFIED":
                    case 0:
                        m.failure = 0;
                        break;
                    case "DNS_NXDOMAIN":
                    case 1:
                        m.failure = 1;
                        break;
                    case "DNS_SERVFAIL":
                    case 2:
                        m.failure = 2;
                        break;
                    case "DNS_TIMEOUT":
                    case 3:
                        m.failure = 3;
                        break;
                    case "CONNECT_REFUSED":
                    case 4:
                        m.failure = 4;
                        break;
                    case "CONNECT_TIMEOUT":
                    case 5:
                        m.failure = 5;
                        break;
                    case "CONNECT_RESET":
                    case 6:
                        m.failure = 6;
                        break;
                    case "NET_UNREACHABLE":
                    case 7:
                        m.failure = 7;
                        break;
                    case "TLS_HANDSHAKE":
                    case 8:
                        m.failure = 8;
                        break;
                    case "TLS_CERT_EXPIRED":
                    case 9:
                        m.failure = 9;
                        break;
                    case "TLS_CERT_INVALID":
                    case 10:
                        m.failure = 10;
                        break;
                    case "HEADERS_TIMEOUT":
                    case 11:
                        m.failure = 11;
                        break;
                    case "BODY_TIMEOUT":
                    case 12:
                        m.failure = 12;
                        break;
                    case "RESET_MID_BODY":
                    case 13:
                        m.failure = 13;
                        break;
                    case "HTTP_STATUS":
                    case 14:
                        m.failure = 14;
                        break;
                    case "BODY_MISMATCH":
                    case 15:
                        m.failure = 15;
                        break;
                    case "ADDRESS_BLOCKED":
                    case 16:
                        m.failure = 16;
                        break;
                    default:
                        if (typeof d.failure === "number" && (d.failure | 0) === d.failure)
                            m.failure = d.failure;
                    }
                }
                if (d.checkedAtMs != null) {
                    if (typeof d.checkedAtMs === "object" ? d.checkedAtMs.low || d.checkedAtMs.high : $Number(d.checkedAtMs) !== 0) {
                        if ($util.Long)
                            m.checkedAtMs = $util.Long.fromValue(d.checkedAtMs, false);
                        else if (typeof d.checkedAtMs === "string")
                            m.checkedAtMs = $parseInt(d.checkedAtMs, 10);
                        else if (typeof d.checkedAtMs === "number")
                            m.checkedAtMs = d.checkedAtMs;
                        else if (typeof d.checkedAtMs === "object")
                            m.checkedAtMs = new $util.LongBits(d.checkedAtMs.low >>> 0, d.checkedAtMs.high >>> 0).toNumber();
                    }
                }
                if (d.consecutiveFailures != null) {
                    if ($Number(d.consecutiveFailures) !== 0) {
                        m.consecutiveFailures = d.consecutiveFailures >>> 0;
                    }
                }
                if (d.totalMs != null) {
                    m.totalMs = $Number(d.totalMs);
                }
                return m;
            };

            /**
             * Creates a plain object from a ControlHealth message. Also converts values to other types if specified.
             * @function toObject
             * @memberof crossprobe.v1.ControlHealth
             * @static
             * @param {crossprobe.v1.ControlHealth} m ControlHealth
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            ControlHealth.toObject = function (m, o, q) {
                if (!o)
                    o = {};
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.url = "";
                    d.ok = false;
                    d.failure = o.enums === $String ? "FAILURE_CODE_UNSPECIFIED" : 0;
                    if ($util.Long) {
                        var n = new $util.Long(0, 0, false);
                        d.checkedAtMs = o.longs === $String ? n.toString() : o.longs === $Number ? n.toNumber() : typeof $BigInt !== "undefined" && o.longs === $BigInt ? n.toBigInt() : n;
                    } else
                        d.checkedAtMs = o.longs === $String ? "0" : typeof $BigInt !== "undefined" && o.longs === $BigInt ? $BigInt("0") : 0;
                    d.consecutiveFailures = 0;
                }
                if (m.url != null && $Object.hasOwnProperty.call(m, "url")) {
                    d.url = m.url;
                }
                if (m.ok != null && $Object.hasOwnProperty.call(m, "ok")) {
                    d.ok = m.ok;
                }
                if (m.failure != null && $Object.hasOwnProperty.call(m, "failure")) {
                    d.failure = o.enums === $String ? $root.crossprobe.v1.FailureCode[m.failure] === $undefined ? m.failure : $root.crossprobe.v1.FailureCode[m.failure] : m.failure;
                }
                if (m.checkedAtMs != null && $Object.hasOwnProperty.call(m, "checkedAtMs")) {
                    if (typeof $BigInt !== "undefined" && o.longs === $BigInt)
                        d.checkedAtMs = typeof m.checkedAtMs === "number" ? $BigInt(m.checkedAtMs) : $util.Long.fromBits(m.checkedAtMs.low >>> 0, m.checkedAtMs.high >>> 0, false).toBigInt();
                    else if (typeof m.checkedAtMs === "number")
                        d.checkedAtMs = o.longs === $String ? $String(m.checkedAtMs) : m.checkedAtMs;
                    else
                        d.checkedAtMs = o.longs === $String ? $util.Long.prototype.toString.call(m.checkedAtMs) : o.longs === $Number ? new $util.LongBits(m.checkedAtMs.low >>> 0, m.checkedAtMs.high >>> 0).toNumber() : m.checkedAtMs;
                }
                if (m.consecutiveFailures != null && $Object.hasOwnProperty.call(m, "consecutiveFailures")) {
                    d.consecutiveFailures = m.consecutiveFailures;
                }
                if (m.totalMs != null && $Object.hasOwnProperty.call(m, "totalMs")) {
                    d.totalMs = o.json && !$isFinite(m.totalMs) ? $String(m.totalMs) : m.totalMs;
                }
                return d;
            };

            /**
             * Converts this ControlHealth to JSON.
             * @function toJSON
             * @memberof crossprobe.v1.ControlHealth
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            ControlHealth.prototype.toJSON = function() {
                return ControlHealth.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the type url for ControlHealth
             * @function getTypeUrl
             * @memberof crossprobe.v1.ControlHealth
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            ControlHealth.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/crossprobe.v1.ControlHealth";
            };

            return ControlHealth;
        })();

        v1.Heartbeat = (function() {

            /**
             * Properties of a Heartbeat.
             * @typedef {Object} crossprobe.v1.Heartbeat.$Properties
             * @property {string|null} [agent] Heartbeat agent
             * @property {string|null} [region] Heartbeat region
             * @property {string|null} [version] Heartbeat version
             * @property {number|null} [sentAtMs] Heartbeat sentAtMs
             * @property {number|null} [startedAtMs] Heartbeat startedAtMs
             * @property {number|null} [targets] Heartbeat targets
             * @property {number|null} [spoolDepth] Heartbeat spoolDepth
             * @property {number|null} [spoolDropped] Heartbeat spoolDropped
             * @property {number|null} [schedLagMs] Heartbeat schedLagMs
             * @property {Array.<crossprobe.v1.ControlHealth.$Properties>|null} [controls] Heartbeat controls
             * @property {number|null} [resultsPublished] Heartbeat resultsPublished
             * @property {number|null} [inFlight] Heartbeat inFlight
             * @property {number|null} [spoolBytes] Heartbeat spoolBytes
             * @property {number|null} [rssBytes] Heartbeat rssBytes
             * @property {boolean|null} [spoolDegraded] Heartbeat spoolDegraded
             * @property {string|null} [spoolError] Heartbeat spoolError
             * @property {number|null} [memoryQueueDepth] Heartbeat memoryQueueDepth
             * @property {number|null} [memoryQueueBytes] Heartbeat memoryQueueBytes
             * @property {number|null} [memoryQueueDropped] Heartbeat memoryQueueDropped
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Heartbeat.
             * @memberof crossprobe.v1
             * @interface IHeartbeat
             * @augments crossprobe.v1.Heartbeat.$Properties
             * @deprecated Use crossprobe.v1.Heartbeat.$Properties instead.
             */

            /**
             * Shape of a Heartbeat.
             * @typedef {crossprobe.v1.Heartbeat.$Properties} crossprobe.v1.Heartbeat.$Shape
             */

            /**
             * Constructs a new Heartbeat.
             * @memberof crossprobe.v1
             * @classdesc Represents a Heartbeat.
             * @constructor
             * @param {crossprobe.v1.Heartbeat.$Properties=} [p] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Heartbeat = function (p) {
                this.controls = [];
                if (p)
                    for (var ks = $Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            };

            /**
             * Heartbeat agent.
             * @member {string} agent
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.agent = "";

            /**
             * Heartbeat region.
             * @member {string} region
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.region = "";

            /**
             * Heartbeat version.
             * @member {string} version
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.version = "";

            /**
             * Heartbeat sentAtMs.
             * @member {number} sentAtMs
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.sentAtMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * Heartbeat startedAtMs.
             * @member {number} startedAtMs
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.startedAtMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * Heartbeat targets.
             * @member {number} targets
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.targets = 0;

            /**
             * Heartbeat spoolDepth.
             * @member {number} spoolDepth
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.spoolDepth = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Heartbeat spoolDropped.
             * @member {number} spoolDropped
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.spoolDropped = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Heartbeat schedLagMs.
             * @member {number} schedLagMs
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.schedLagMs = 0;

            /**
             * Heartbeat controls.
             * @member {Array.<crossprobe.v1.ControlHealth.$Properties>} controls
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.controls = $util.emptyArray;

            /**
             * Heartbeat resultsPublished.
             * @member {number} resultsPublished
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.resultsPublished = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Heartbeat inFlight.
             * @member {number} inFlight
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.inFlight = 0;

            /**
             * Heartbeat spoolBytes.
             * @member {number} spoolBytes
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.spoolBytes = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Heartbeat rssBytes.
             * @member {number} rssBytes
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.rssBytes = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Heartbeat spoolDegraded.
             * @member {boolean} spoolDegraded
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.spoolDegraded = false;

            /**
             * Heartbeat spoolError.
             * @member {string} spoolError
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.spoolError = "";

            /**
             * Heartbeat memoryQueueDepth.
             * @member {number} memoryQueueDepth
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.memoryQueueDepth = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Heartbeat memoryQueueBytes.
             * @member {number} memoryQueueBytes
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.memoryQueueBytes = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Heartbeat memoryQueueDropped.
             * @member {number} memoryQueueDropped
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.memoryQueueDropped = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Creates a new Heartbeat instance using the specified properties.
             * @function create
             * @memberof crossprobe.v1.Heartbeat
             * @static
             * @param {crossprobe.v1.Heartbeat.$Properties=} [properties] Properties to set
             * @returns {crossprobe.v1.Heartbeat} Heartbeat instance
             * @type {{
             *   (properties: crossprobe.v1.Heartbeat.$Shape): crossprobe.v1.Heartbeat & crossprobe.v1.Heartbeat.$Shape;
             *   (properties?: crossprobe.v1.Heartbeat.$Properties): crossprobe.v1.Heartbeat;
             * }}
             */
            Heartbeat.create = function(properties) {
                return new Heartbeat(properties);
            };

            /**
             * Encodes the specified Heartbeat message. Does not implicitly {@link crossprobe.v1.Heartbeat.verify|verify} messages.
             * @function encode
             * @memberof crossprobe.v1.Heartbeat
             * @static
             * @param {crossprobe.v1.Heartbeat.$Properties} m Heartbeat message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Heartbeat.encode = function (m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (m.agent != null && $Object.hasOwnProperty.call(m, "agent") && m.agent !== "")
                    w.uint32(/* id 1, wireType 2 =*/10).string(m.agent);
                if (m.region != null && $Object.hasOwnProperty.call(m, "region") && m.region !== "")
                    w.uint32(/* id 2, wireType 2 =*/18).string(m.region);
                if (m.version != null && $Object.hasOwnProperty.call(m, "version") && m.version !== "")
                    w.uint32(/* id 3, wireType 2 =*/26).string(m.version);
                if (m.sentAtMs != null && $Object.hasOwnProperty.call(m, "sentAtMs") && (typeof m.sentAtMs === "object" ? m.sentAtMs.low || m.sentAtMs.high : m.sentAtMs !== 0))
                    w.uint32(/* id 4, wireType 0 =*/32).int64(m.sentAtMs);
                if (m.startedAtMs != null && $Object.hasOwnProperty.call(m, "startedAtMs") && (typeof m.startedAtMs === "object" ? m.startedAtMs.low || m.startedAtMs.high : m.startedAtMs !== 0))
                    w.uint32(/* id 5, wireType 0 =*/40).int64(m.startedAtMs);
                if (m.targets != null && $Object.hasOwnProperty.call(m, "targets") && m.targets !== 0)
                    w.uint32(/* id 6, wireType 0 =*/48).uint32(m.targets);
                if (m.spoolDepth != null && $Object.hasOwnProperty.call(m, "spoolDepth") && (typeof m.spoolDepth === "object" ? m.spoolDepth.low || m.spoolDepth.high : m.spoolDepth !== 0))
                    w.uint32(/* id 7, wireType 0 =*/56).uint64(m.spoolDepth);
                if (m.spoolDropped != null && $Object.hasOwnProperty.call(m, "spoolDropped") && (typeof m.spoolDropped === "object" ? m.spoolDropped.low || m.spoolDropped.high : m.spoolDropped !== 0))
                    w.uint32(/* id 8, wireType 0 =*/64).uint64(m.spoolDropped);
                if (m.schedLagMs != null && $Object.hasOwnProperty.call(m, "schedLagMs") && !$Object.is(m.schedLagMs, 0))
                    w.uint32(/* id 9, wireType 1 =*/73).double(m.schedLagMs);
                if (m.controls != null && m.controls.length) {
                    for (var i = 0; i < m.controls.length; ++i)
                        $root.crossprobe.v1.ControlHealth.encode(m.controls[i], w.uint32(/* id 10, wireType 2 =*/82).fork(), q + 1).ldelim();
                }
                if (m.resultsPublished != null && $Object.hasOwnProperty.call(m, "resultsPublished") && (typeof m.resultsPublished === "object" ? m.resultsPublished.low || m.resultsPublished.high : m.resultsPublished !== 0))
                    w.uint32(/* id 11, wireType 0 =*/88).uint64(m.resultsPublished);
                if (m.inFlight != null && $Object.hasOwnProperty.call(m, "inFlight") && m.inFlight !== 0)
                    w.uint32(/* id 12, wireType 0 =*/96).uint32(m.inFlight);
                if (m.spoolBytes != null && $Object.hasOwnProperty.call(m, "spoolBytes") && (typeof m.spoolBytes === "object" ? m.spoolBytes.low || m.spoolBytes.high : m.spoolBytes !== 0))
                    w.uint32(/* id 13, wireType 0 =*/104).uint64(m.spoolBytes);
                if (m.rssBytes != null && $Object.hasOwnProperty.call(m, "rssBytes") && (typeof m.rssBytes === "object" ? m.rssBytes.low || m.rssBytes.high : m.rssBytes !== 0))
                    w.uint32(/* id 14, wireType 0 =*/112).uint64(m.rssBytes);
                if (m.spoolDegraded != null && $Object.hasOwnProperty.call(m, "spoolDegraded") && m.spoolDegraded !== false)
                    w.uint32(/* id 15, wireType 0 =*/120).bool(m.spoolDegraded);
                if (m.spoolError != null && $Object.hasOwnProperty.call(m, "spoolError") && m.spoolError !== "")
                    w.uint32(/* id 16, wireType 2 =*/130).string(m.spoolError);
                if (m.memoryQueueDepth != null && $Object.hasOwnProperty.call(m, "memoryQueueDepth") && (typeof m.memoryQueueDepth === "object" ? m.memoryQueueDepth.low || m.memoryQueueDepth.high : m.memoryQueueDepth !== 0))
                    w.uint32(/* id 17, wireType 0 =*/136).uint64(m.memoryQueueDepth);
                if (m.memoryQueueBytes != null && $Object.hasOwnProperty.call(m, "memoryQueueBytes") && (typeof m.memoryQueueBytes === "object" ? m.memoryQueueBytes.low || m.memoryQueueBytes.high : m.memoryQueueBytes !== 0))
                    w.uint32(/* id 18, wireType 0 =*/144).uint64(m.memoryQueueBytes);
                if (m.memoryQueueDropped != null && $Object.hasOwnProperty.call(m, "memoryQueueDropped") && (typeof m.memoryQueueDropped === "object" ? m.memoryQueueDropped.low || m.memoryQueueDropped.high : m.memoryQueueDropped !== 0))
                    w.uint32(/* id 19, wireType 0 =*/152).uint64(m.memoryQueueDropped);
                if (m.$unknowns != null && $Object.hasOwnProperty.call(m, "$unknowns"))
                    for (var i = 0; i < m.$unknowns.length; ++i)
                        w.raw(m.$unknowns[i]);
                return w;
            };

            /**
             * Encodes the specified Heartbeat message, length delimited. Does not implicitly {@link crossprobe.v1.Heartbeat.verify|verify} messages.
             * @function encodeDelimited
             * @memberof crossprobe.v1.Heartbeat
             * @static
             * @param {crossprobe.v1.Heartbeat.$Properties} message Heartbeat message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Heartbeat.encodeDelimited = function(message, writer) {
                return this.encode(message, (writer || $Writer.create()).fork()).ldelim();
            };

            /**
             * Decodes a Heartbeat message from the specified reader or buffer.
             * @function decode
             * @memberof crossprobe.v1.Heartbeat
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {crossprobe.v1.Heartbeat & crossprobe.v1.Heartbeat.$Shape} Heartbeat
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Heartbeat.decode = function (r, l, z, q, g) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (q === $undefined)
                    q = 0;
                if (q > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                var c, m, v;
                if (l === $undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw $RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = g || new $root.crossprobe.v1.Heartbeat();
                while (r.pos < c) {
                    var s = r.pos;
                    var t = r.tag();
                    if (t === z) {
                        z = $undefined;
                        break;
                    }
                    var u = t & 7;
                    switch (t >>>= 3) {
                    case 1: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.agent = v;
                            else
                                delete m.agent;
                            continue;
                        }
                    case 2: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.region = v;
                            else
                                delete m.region;
                            continue;
                        }
                    case 3: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.version = v;
                            else
                                delete m.version;
                            continue;
                        }
                    case 4: {
                            if (u !== 0)
                                break;
                            if (typeof (v = r.int64()) === "object" ? v.low || v.high : v !== 0)
                                m.sentAtMs = v;
                            else
                                delete m.sentAtMs;
                            continue;
                        }
                    case 5: {
                            if (u !== 0)
                                break;
                            if (typeof (v = r.int64()) === "object" ? v.low || v.high : v !== 0)
                                m.startedAtMs = v;
                            else
                                delete m.startedAtMs;
                            continue;
                        }
                    case 6: {
                            if (u !== 0)
                                break;
                            if (v = r.uint32())
                                m.targets = v;
                            else
                                delete m.targets;
                            continue;
                        }
                    case 7: {
                            if (u !== 0)
                                break;
                            if (typeof (v = r.uint64()) === "object" ? v.low || v.high : v !== 0)
                                m.spoolDepth = v;
                            else
                                delete m.spoolDepth;
                            continue;
                        }
                    case 8: {
                            if (u !== 0)
                                break;
                            if (typeof (v = r.uint64()) === "object" ? v.low || v.high : v !== 0)
                                m.spoolDropped = v;
                            else
                                delete m.spoolDropped;
                            continue;
                        }
                    case 9: {
                            if (u !== 1)
                                break;
                            if (!$Object.is(v = r.double(), 0))
                                m.schedLagMs = v;
                            else
                                delete m.schedLagMs;
                            continue;
                        }
                    case 10: {
                            if (u !== 2)
                                break;
                            if (!(m.controls && m.controls.length))
                                m.controls = [];
                            m.controls.push($root.crossprobe.v1.ControlHealth.decode(r, r.size(), $undefined, q + 1));
                            continue;
                        }
                    case 11: {
                            if (u !== 0)
                                break;
                            if (typeof (v = r.uint64()) === "object" ? v.low || v.high : v !== 0)
                                m.resultsPublished = v;
                            else
                                delete m.resultsPublished;
                            continue;
                        }
                    case 12: {
                            if (u !== 0)
                                break;
                            if (v = r.uint32())
                                m.inFlight = v;
                            else
                                delete m.inFlight;
                            continue;
                        }
                    case 13: {
                            if (u !== 0)
                                break;
                            if (typeof (v = r.uint64()) === "object" ? v.low || v.high : v !== 0)
                                m.spoolBytes = v;
                            else
                                delete m.spoolBytes;
                            continue;
                        }
                    case 14: {
                            if (u !== 0)
                                break;
                            if (typeof (v = r.uint64()) === "object" ? v.low || v.high : v !== 0)
                                m.rssBytes = v;
                            else
                                delete m.rssBytes;
                            continue;
                        }
                    case 15: {
                            if (u !== 0)
                                break;
                            if (v = r.bool())
                                m.spoolDegraded = v;
                            else
                                delete m.spoolDegraded;
                            continue;
                        }
                    case 16: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.spoolError = v;
                            else
                                delete m.spoolError;
                            continue;
                        }
                    case 17: {
                            if (u !== 0)
                                break;
                            if (typeof (v = r.uint64()) === "object" ? v.low || v.high : v !== 0)
                                m.memoryQueueDepth = v;
                            else
                                delete m.memoryQueueDepth;
                            continue;
                        }
                    case 18: {
                            if (u !== 0)
                                break;
                            if (typeof (v = r.uint64()) === "object" ? v.low || v.high : v !== 0)
                                m.memoryQueueBytes = v;
                            else
                                delete m.memoryQueueBytes;
                            continue;
                        }
                    case 19: {
                            if (u !== 0)
                                break;
                            if (typeof (v = r.uint64()) === "object" ? v.low || v.high : v !== 0)
                                m.memoryQueueDropped = v;
                            else
                                delete m.memoryQueueDropped;
                            continue;
                        }
                    }
                    r.skipType(u, q, t);
                    if (!r.discardUnknown) {
                        $util.makeProp(m, "$unknowns", false);
                        (m.$unknowns || (m.$unknowns = [])).push(r.raw(s, r.pos));
                    }
                }
                if (l !== $undefined) {
                    if (r.pos !== c)
                        throw $RangeError("index out of range");
                    r.len = l;
                }
                if (z !== $undefined)
                    throw $Error("missing end group");
                return m;
            };

            /**
             * Decodes a Heartbeat message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof crossprobe.v1.Heartbeat
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {crossprobe.v1.Heartbeat & crossprobe.v1.Heartbeat.$Shape} Heartbeat
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Heartbeat.decodeDelimited = function(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.size());
            };

            /**
             * Verifies a Heartbeat message.
             * @function verify
             * @memberof crossprobe.v1.Heartbeat
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Heartbeat.verify = function (m, q) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    return "max depth exceeded";
                if (m.agent != null && $Object.hasOwnProperty.call(m, "agent")) {
                    if (!$util.isString(m.agent))
                        return "agent: string expected";
                }
                if (m.region != null && $Object.hasOwnProperty.call(m, "region")) {
                    if (!$util.isString(m.region))
                        return "region: string expected";
                }
                if (m.version != null && $Object.hasOwnProperty.call(m, "version")) {
                    if (!$util.isString(m.version))
                        return "version: string expected";
                }
                if (m.sentAtMs != null && $Object.hasOwnProperty.call(m, "sentAtMs")) {
                    if (!$util.isInteger(m.sentAtMs) && !(m.sentAtMs && $util.isInteger(m.sentAtMs.low) && $util.isInteger(m.sentAtMs.high)))
                        return "sentAtMs: integer|Long expected";
                }
                if (m.startedAtMs != null && $Object.hasOwnProperty.call(m, "startedAtMs")) {
                    if (!$util.isInteger(m.startedAtMs) && !(m.startedAtMs && $util.isInteger(m.startedAtMs.low) && $util.isInteger(m.startedAtMs.high)))
                        return "startedAtMs: integer|Long expected";
                }
                if (m.targets != null && $Object.hasOwnProperty.call(m, "targets")) {
                    if (!$util.isInteger(m.targets))
                        return "targets: integer expected";
                }
                if (m.spoolDepth != null && $Object.hasOwnProperty.call(m, "spoolDepth")) {
                    if (!$util.isInteger(m.spoolDepth) && !(m.spoolDepth && $util.isInteger(m.spoolDepth.low) && $util.isInteger(m.spoolDepth.high)))
                        return "spoolDepth: integer|Long expected";
                }
                if (m.spoolDropped != null && $Object.hasOwnProperty.call(m, "spoolDropped")) {
                    if (!$util.isInteger(m.spoolDropped) && !(m.spoolDropped && $util.isInteger(m.spoolDropped.low) && $util.isInteger(m.spoolDropped.high)))
                        return "spoolDropped: integer|Long expected";
                }
                if (m.schedLagMs != null && $Object.hasOwnProperty.call(m, "schedLagMs")) {
                    if (typeof m.schedLagMs !== "number")
                        return "schedLagMs: number expected";
                }
                if (m.controls != null && $Object.hasOwnProperty.call(m, "controls")) {
                    if (!$Array.isArray(m.controls))
                        return "controls: array expected";
                    for (var i = 0; i < m.controls.length; ++i) {
                        {
                            var e = $root.crossprobe.v1.ControlHealth.verify(m.controls[i], q + 1);
                            if (e)
                                return "controls." + e;
                        }
                    }
                }
                if (m.resultsPublished != null && $Object.hasOwnProperty.call(m, "resultsPublished")) {
                    if (!$util.isInteger(m.resultsPublished) && !(m.resultsPublished && $util.isInteger(m.resultsPublished.low) && $util.isInteger(m.resultsPublished.high)))
                        return "resultsPublished: integer|Long expected";
                }
                if (m.inFlight != null && $Object.hasOwnProperty.call(m, "inFlight")) {
                    if (!$util.isInteger(m.inFlight))
                        return "inFlight: integer expected";
                }
                if (m.spoolBytes != null && $Object.hasOwnProperty.call(m, "spoolBytes")) {
                    if (!$util.isInteger(m.spoolBytes) && !(m.spoolBytes && $util.isInteger(m.spoolBytes.low) && $util.isInteger(m.spoolBytes.high)))
                        return "spoolBytes: integer|Long expected";
                }
                if (m.rssBytes != null && $Object.hasOwnProperty.call(m, "rssBytes")) {
                    if (!$util.isInteger(m.rssBytes) && !(m.rssBytes && $util.isInteger(m.rssBytes.low) && $util.isInteger(m.rssBytes.high)))
                        return "rssBytes: integer|Long expected";
                }
                if (m.spoolDegraded != null && $Object.hasOwnProperty.call(m, "spoolDegraded")) {
                    if (typeof m.spoolDegraded !== "boolean")
                        return "spoolDegraded: boolean expected";
                }
                if (m.spoolError != null && $Object.hasOwnProperty.call(m, "spoolError")) {
                    if (!$util.isString(m.spoolError))
                        return "spoolError: string expected";
                }
                if (m.memoryQueueDepth != null && $Object.hasOwnProperty.call(m, "memoryQueueDepth")) {
                    if (!$util.isInteger(m.memoryQueueDepth) && !(m.memoryQueueDepth && $util.isInteger(m.memoryQueueDepth.low) && $util.isInteger(m.memoryQueueDepth.high)))
                        return "memoryQueueDepth: integer|Long expected";
                }
                if (m.memoryQueueBytes != null && $Object.hasOwnProperty.call(m, "memoryQueueBytes")) {
                    if (!$util.isInteger(m.memoryQueueBytes) && !(m.memoryQueueBytes && $util.isInteger(m.memoryQueueBytes.low) && $util.isInteger(m.memoryQueueBytes.high)))
                        return "memoryQueueBytes: integer|Long expected";
                }
                if (m.memoryQueueDropped != null && $Object.hasOwnProperty.call(m, "memoryQueueDropped")) {
                    if (!$util.isInteger(m.memoryQueueDropped) && !(m.memoryQueueDropped && $util.isInteger(m.memoryQueueDropped.low) && $util.isInteger(m.memoryQueueDropped.high)))
                        return "memoryQueueDropped: integer|Long expected";
                }
                return null;
            };

            /**
             * Creates a Heartbeat message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof crossprobe.v1.Heartbeat
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {crossprobe.v1.Heartbeat} Heartbeat
             */
            Heartbeat.fromObject = function (d, q) {
                if (d instanceof $root.crossprobe.v1.Heartbeat)
                    return d;
                if (!$util.isObject(d))
                    throw $TypeError(".crossprobe.v1.Heartbeat: object expected");
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                var m = new $root.crossprobe.v1.Heartbeat();
                if (d.agent != null) {
                    if (typeof d.agent !== "string" || d.agent.length) {
                        m.agent = $String(d.agent);
                    }
                }
                if (d.region != null) {
                    if (typeof d.region !== "string" || d.region.length) {
                        m.region = $String(d.region);
                    }
                }
                if (d.version != null) {
                    if (typeof d.version !== "string" || d.version.length) {
                        m.version = $String(d.version);
                    }
                }
                if (d.sentAtMs != null) {
                    if (typeof d.sentAtMs === "object" ? d.sentAtMs.low || d.sentAtMs.high : $Number(d.sentAtMs) !== 0) {
                        if ($util.Long)
                            m.sentAtMs = $util.Long.fromValue(d.sentAtMs, false);
                        else if (typeof d.sentAtMs === "string")
                            m.sentAtMs = $parseInt(d.sentAtMs, 10);
                        else if (typeof d.sentAtMs === "number")
                            m.sentAtMs = d.sentAtMs;
                        else if (typeof d.sentAtMs === "object")
                            m.sentAtMs = new $util.LongBits(d.sentAtMs.low >>> 0, d.sentAtMs.high >>> 0).toNumber();
                    }
                }
                if (d.startedAtMs != null) {
                    if (typeof d.startedAtMs === "object" ? d.startedAtMs.low || d.startedAtMs.high : $Number(d.startedAtMs) !== 0) {
                        if ($util.Long)
                            m.startedAtMs = $util.Long.fromValue(d.startedAtMs, false);
                        else if (typeof d.startedAtMs === "string")
                            m.startedAtMs = $parseInt(d.startedAtMs, 10);
                        else if (typeof d.startedAtMs === "number")
                            m.startedAtMs = d.startedAtMs;
                        else if (typeof d.startedAtMs === "object")
                            m.startedAtMs = new $util.LongBits(d.startedAtMs.low >>> 0, d.startedAtMs.high >>> 0).toNumber();
                    }
                }
                if (d.targets != null) {
                    if ($Number(d.targets) !== 0) {
                        m.targets = d.targets >>> 0;
                    }
                }
                if (d.spoolDepth != null) {
                    if (typeof d.spoolDepth === "object" ? d.spoolDepth.low || d.spoolDepth.high : $Number(d.spoolDepth) !== 0) {
                        if ($util.Long)
                            m.spoolDepth = $util.Long.fromValue(d.spoolDepth, true);
                        else if (typeof d.spoolDepth === "string")
                            m.spoolDepth = $parseInt(d.spoolDepth, 10);
                        else if (typeof d.spoolDepth === "number")
                            m.spoolDepth = d.spoolDepth;
                        else if (typeof d.spoolDepth === "object")
                            m.spoolDepth = new $util.LongBits(d.spoolDepth.low >>> 0, d.spoolDepth.high >>> 0).toNumber(true);
                    }
                }
                if (d.spoolDropped != null) {
                    if (typeof d.spoolDropped === "object" ? d.spoolDropped.low || d.spoolDropped.high : $Number(d.spoolDropped) !== 0) {
                        if ($util.Long)
                            m.spoolDropped = $util.Long.fromValue(d.spoolDropped, true);
                        else if (typeof d.spoolDropped === "string")
                            m.spoolDropped = $parseInt(d.spoolDropped, 10);
                        else if (typeof d.spoolDropped === "number")
                            m.spoolDropped = d.spoolDropped;
                        else if (typeof d.spoolDropped === "object")
                            m.spoolDropped = new $util.LongBits(d.spoolDropped.low >>> 0, d.spoolDropped.high >>> 0).toNumber(true);
                    }
                }
                if (d.schedLagMs != null) {
                    if (!$Object.is($Number(d.schedLagMs), 0)) {
                        m.schedLagMs = $Number(d.schedLagMs);
                    }
                }
                if (d.controls) {
                    if (!$Array.isArray(d.controls))
                        throw $TypeError(".crossprobe.v1.Heartbeat.controls: array expected");
                    m.controls = $Array(d.controls.length);
                    for (var i = 0; i < d.controls.length; ++i) {
                        if (!$util.isObject(d.controls[i]))
                            throw $TypeError(".crossprobe.v1.Heartbeat.controls: object expected");
                        m.controls[i] = $root.crossprobe.v1.ControlHealth.fromObject(d.controls[i], q + 1);
                    }
                }
                if (d.resultsPublished != null) {
                    if (typeof d.resultsPublished === "object" ? d.resultsPublished.low || d.resultsPublished.high : $Number(d.resultsPublished) !== 0) {
                        if ($util.Long)
                            m.resultsPublished = $util.Long.fromValue(d.resultsPublished, true);
                        else if (typeof d.resultsPublished === "string")
                            m.resultsPublished = $parseInt(d.resultsPublished, 10);
                        else if (typeof d.resultsPublished === "number")
                            m.resultsPublished = d.resultsPublished;
                        else if (typeof d.resultsPublished === "object")
                            m.resultsPublished = new $util.LongBits(d.resultsPublished.low >>> 0, d.resultsPublished.high >>> 0).toNumber(true);
                    }
                }
                if (d.inFlight != null) {
                    if ($Number(d.inFlight) !== 0) {
                        m.inFlight = d.inFlight >>> 0;
                    }
                }
                if (d.spoolBytes != null) {
                    if (typeof d.spoolBytes === "object" ? d.spoolBytes.low || d.spoolBytes.high : $Number(d.spoolBytes) !== 0) {
                        if ($util.Long)
                            m.spoolBytes = $util.Long.fromValue(d.spoolBytes, true);
                        else if (typeof d.spoolBytes === "string")
                            m.spoolBytes = $parseInt(d.spoolBytes, 10);
                        else if (typeof d.spoolBytes === "number")
                            m.spoolBytes = d.spoolBytes;
                        else if (typeof d.spoolBytes === "object")
                            m.spoolBytes = new $util.LongBits(d.spoolBytes.low >>> 0, d.spoolBytes.high >>> 0).toNumber(true);
                    }
                }
                if (d.rssBytes != null) {
                    if (typeof d.rssBytes === "object" ? d.rssBytes.low || d.rssBytes.high : $Number(d.rssBytes) !== 0) {
                        if ($util.Long)
                            m.rssBytes = $util.Long.fromValue(d.rssBytes, true);
                        else if (typeof d.rssBytes === "string")
                            m.rssBytes = $parseInt(d.rssBytes, 10);
                        else if (typeof d.rssBytes === "number")
                            m.rssBytes = d.rssBytes;
                        else if (typeof d.rssBytes === "object")
                            m.rssBytes = new $util.LongBits(d.rssBytes.low >>> 0, d.rssBytes.high >>> 0).toNumber(true);
                    }
                }
                if (d.spoolDegraded != null) {
                    if (d.spoolDegraded) {
                        m.spoolDegraded = $Boolean(d.spoolDegraded);
                    }
                }
                if (d.spoolError != null) {
                    if (typeof d.spoolError !== "string" || d.spoolError.length) {
                        m.spoolError = $String(d.spoolError);
                    }
                }
                if (d.memoryQueueDepth != null) {
                    if (typeof d.memoryQueueDepth === "object" ? d.memoryQueueDepth.low || d.memoryQueueDepth.high : $Number(d.memoryQueueDepth) !== 0) {
                        if ($util.Long)
                            m.memoryQueueDepth = $util.Long.fromValue(d.memoryQueueDepth, true);
                        else if (typeof d.memoryQueueDepth === "string")
                            m.memoryQueueDepth = $parseInt(d.memoryQueueDepth, 10);
                        else if (typeof d.memoryQueueDepth === "number")
                            m.memoryQueueDepth = d.memoryQueueDepth;
                        else if (typeof d.memoryQueueDepth === "object")
                            m.memoryQueueDepth = new $util.LongBits(d.memoryQueueDepth.low >>> 0, d.memoryQueueDepth.high >>> 0).toNumber(true);
                    }
                }
                if (d.memoryQueueBytes != null) {
                    if (typeof d.memoryQueueBytes === "object" ? d.memoryQueueBytes.low || d.memoryQueueBytes.high : $Number(d.memoryQueueBytes) !== 0) {
                        if ($util.Long)
                            m.memoryQueueBytes = $util.Long.fromValue(d.memoryQueueBytes, true);
                        else if (typeof d.memoryQueueBytes === "string")
                            m.memoryQueueBytes = $parseInt(d.memoryQueueBytes, 10);
                        else if (typeof d.memoryQueueBytes === "number")
                            m.memoryQueueBytes = d.memoryQueueBytes;
                        else if (typeof d.memoryQueueBytes === "object")
                            m.memoryQueueBytes = new $util.LongBits(d.memoryQueueBytes.low >>> 0, d.memoryQueueBytes.high >>> 0).toNumber(true);
                    }
                }
                if (d.memoryQueueDropped != null) {
                    if (typeof d.memoryQueueDropped === "object" ? d.memoryQueueDropped.low || d.memoryQueueDropped.high : $Number(d.memoryQueueDropped) !== 0) {
                        if ($util.Long)
                            m.memoryQueueDropped = $util.Long.fromValue(d.memoryQueueDropped, true);
                        else if (typeof d.memoryQueueDropped === "string")
                            m.memoryQueueDropped = $parseInt(d.memoryQueueDropped, 10);
                        else if (typeof d.memoryQueueDropped === "number")
                            m.memoryQueueDropped = d.memoryQueueDropped;
                        else if (typeof d.memoryQueueDropped === "object")
                            m.memoryQueueDropped = new $util.LongBits(d.memoryQueueDropped.low >>> 0, d.memoryQueueDropped.high >>> 0).toNumber(true);
                    }
                }
                return m;
            };

            /**
             * Creates a plain object from a Heartbeat message. Also converts values to other types if specified.
             * @function toObject
             * @memberof crossprobe.v1.Heartbeat
             * @static
             * @param {crossprobe.v1.Heartbeat} m Heartbeat
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Heartbeat.toObject = function (m, o, q) {
                if (!o)
                    o = {};
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                var d = {};
                if (o.arrays || o.defaults) {
                    d.controls = [];
                }
                if (o.defaults) {
                    d.agent = "";
                    d.region = "";
                    d.version = "";
                    if ($util.Long) {
                        var n = new $util.Long(0, 0, false);
                        d.sentAtMs = o.longs === $String ? n.toString() : o.longs === $Number ? n.toNumber() : typeof $BigInt !== "undefined" && o.longs === $BigInt ? n.toBigInt() : n;
                    } else
                        d.sentAtMs = o.longs === $String ? "0" : typeof $BigInt !== "undefined" && o.longs === $BigInt ? $BigInt("0") : 0;
                    if ($util.Long) {
                        var n = new $util.Long(0, 0, false);
                        d.startedAtMs = o.longs === $String ? n.toString() : o.longs === $Number ? n.toNumber() : typeof $BigInt !== "undefined" && o.longs === $BigInt ? n.toBigInt() : n;
                    } else
                        d.startedAtMs = o.longs === $String ? "0" : typeof $BigInt !== "undefined" && o.longs === $BigInt ? $BigInt("0") : 0;
                    d.targets = 0;
                    if ($util.Long) {
                        var n = new $util.Long(0, 0, true);
                        d.spoolDepth = o.longs === $String ? n.toString() : o.longs === $Number ? n.toNumber() : typeof $BigInt !== "undefined" && o.longs === $BigInt ? n.toBigInt() : n;
                    } else
                        d.spoolDepth = o.longs === $String ? "0" : typeof $BigInt !== "undefined" && o.longs === $BigInt ? $BigInt("0") : 0;
                    if ($util.Long) {
                        var n = new $util.Long(0, 0, true);
                        d.spoolDropped = o.longs === $String ? n.toString() : o.longs === $Number ? n.toNumber() : typeof $BigInt !== "undefined" && o.longs === $BigInt ? n.toBigInt() : n;
                    } else
                        d.spoolDropped = o.longs === $String ? "0" : typeof $BigInt !== "undefined" && o.longs === $BigInt ? $BigInt("0") : 0;
                    d.schedLagMs = 0;
                    if ($util.Long) {
                        var n = new $util.Long(0, 0, true);
                        d.resultsPublished = o.longs === $String ? n.toString() : o.longs === $Number ? n.toNumber() : typeof $BigInt !== "undefined" && o.longs === $BigInt ? n.toBigInt() : n;
                    } else
                        d.resultsPublished = o.longs === $String ? "0" : typeof $BigInt !== "undefined" && o.longs === $BigInt ? $BigInt("0") : 0;
                    d.inFlight = 0;
                    if ($util.Long) {
                        var n = new $util.Long(0, 0, true);
                        d.spoolBytes = o.longs === $String ? n.toString() : o.longs === $Number ? n.toNumber() : typeof $BigInt !== "undefined" && o.longs === $BigInt ? n.toBigInt() : n;
                    } else
                        d.spoolBytes = o.longs === $String ? "0" : typeof $BigInt !== "undefined" && o.longs === $BigInt ? $BigInt("0") : 0;
                    if ($util.Long) {
                        var n = new $util.Long(0, 0, true);
                        d.rssBytes = o.longs === $String ? n.toString() : o.longs === $Number ? n.toNumber() : typeof $BigInt !== "undefined" && o.longs === $BigInt ? n.toBigInt() : n;
                    } else
                        d.rssBytes = o.longs === $String ? "0" : typeof $BigInt !== "undefined" && o.longs === $BigInt ? $BigInt("0") : 0;
                    d.spoolDegraded = false;
                    d.spoolError = "";
                    if ($util.Long) {
                        var n = new $util.Long(0, 0, true);
                        d.memoryQueueDepth = o.longs === $String ? n.toString() : o.longs === $Number ? n.toNumber() : typeof $BigInt !== "undefined" && o.longs === $BigInt ? n.toBigInt() : n;
                    } else
                        d.memoryQueueDepth = o.longs === $String ? "0" : typeof $BigInt !== "undefined" && o.longs === $BigInt ? $BigInt("0") : 0;
                    if ($util.Long) {
                        var n = new $util.Long(0, 0, true);
                        d.memoryQueueBytes = o.longs === $String ? n.toString() : o.longs === $Number ? n.toNumber() : typeof $BigInt !== "undefined" && o.longs === $BigInt ? n.toBigInt() : n;
                    } else
                        d.memoryQueueBytes = o.longs === $String ? "0" : typeof $BigInt !== "undefined" && o.longs === $BigInt ? $BigInt("0") : 0;
                    if ($util.Long) {
                        var n = new $util.Long(0, 0, true);
                        d.memoryQueueDropped = o.longs === $String ? n.toString() : o.longs === $Number ? n.toNumber() : typeof $BigInt !== "undefined" && o.longs === $BigInt ? n.toBigInt() : n;
                    } else
                        d.memoryQueueDropped = o.longs === $String ? "0" : typeof $BigInt !== "undefined" && o.longs === $BigInt ? $BigInt("0") : 0;
                }
                if (m.agent != null && $Object.hasOwnProperty.call(m, "agent")) {
                    d.agent = m.agent;
                }
                if (m.region != null && $Object.hasOwnProperty.call(m, "region")) {
                    d.region = m.region;
                }
                if (m.version != null && $Object.hasOwnProperty.call(m, "version")) {
                    d.version = m.version;
                }
                if (m.sentAtMs != null && $Object.hasOwnProperty.call(m, "sentAtMs")) {
                    if (typeof $BigInt !== "undefined" && o.longs === $BigInt)
                        d.sentAtMs = typeof m.sentAtMs === "number" ? $BigInt(m.sentAtMs) : $util.Long.fromBits(m.sentAtMs.low >>> 0, m.sentAtMs.high >>> 0, false).toBigInt();
                    else if (typeof m.sentAtMs === "number")
                        d.sentAtMs = o.longs === $String ? $String(m.sentAtMs) : m.sentAtMs;
                    else
                        d.sentAtMs = o.longs === $String ? $util.Long.prototype.toString.call(m.sentAtMs) : o.longs === $Number ? new $util.LongBits(m.sentAtMs.low >>> 0, m.sentAtMs.high >>> 0).toNumber() : m.sentAtMs;
                }
                if (m.startedAtMs != null && $Object.hasOwnProperty.call(m, "startedAtMs")) {
                    if (typeof $BigInt !== "undefined" && o.longs === $BigInt)
                        d.startedAtMs = typeof m.startedAtMs === "number" ? $BigInt(m.startedAtMs) : $util.Long.fromBits(m.startedAtMs.low >>> 0, m.startedAtMs.high >>> 0, false).toBigInt();
                    else if (typeof m.startedAtMs === "number")
                        d.startedAtMs = o.longs === $String ? $String(m.startedAtMs) : m.startedAtMs;
                    else
                        d.startedAtMs = o.longs === $String ? $util.Long.prototype.toString.call(m.startedAtMs) : o.longs === $Number ? new $util.LongBits(m.startedAtMs.low >>> 0, m.startedAtMs.high >>> 0).toNumber() : m.startedAtMs;
                }
                if (m.targets != null && $Object.hasOwnProperty.call(m, "targets")) {
                    d.targets = m.targets;
                }
                if (m.spoolDepth != null && $Object.hasOwnProperty.call(m, "spoolDepth")) {
                    if (typeof $BigInt !== "undefined" && o.longs === $BigInt)
                        d.spoolDepth = typeof m.spoolDepth === "number" ? $BigInt(m.spoolDepth) : $util.Long.fromBits(m.spoolDepth.low >>> 0, m.spoolDepth.high >>> 0, true).toBigInt();
                    else if (typeof m.spoolDepth === "number")
                        d.spoolDepth = o.longs === $String ? $String(m.spoolDepth) : m.spoolDepth;
                    else
                        d.spoolDepth = o.longs === $String ? $util.Long.prototype.toString.call(m.spoolDepth) : o.longs === $Number ? new $util.LongBits(m.spoolDepth.low >>> 0, m.spoolDepth.high >>> 0).toNumber(true) : m.spoolDepth;
                }
                if (m.spoolDropped != null && $Object.hasOwnProperty.call(m, "spoolDropped")) {
                    if (typeof $BigInt !== "undefined" && o.longs === $BigInt)
                        d.spoolDropped = typeof m.spoolDropped === "number" ? $BigInt(m.spoolDropped) : $util.Long.fromBits(m.spoolDropped.low >>> 0, m.spoolDropped.high >>> 0, true).toBigInt();
                    else if (typeof m.spoolDropped === "number")
                        d.spoolDropped = o.longs === $String ? $String(m.spoolDropped) : m.spoolDropped;
                    else
                        d.spoolDropped = o.longs === $String ? $util.Long.prototype.toString.call(m.spoolDropped) : o.longs === $Number ? new $util.LongBits(m.spoolDropped.low >>> 0, m.spoolDropped.high >>> 0).toNumber(true) : m.spoolDropped;
                }
                if (m.schedLagMs != null && $Object.hasOwnProperty.call(m, "schedLagMs")) {
                    d.schedLagMs = o.json && !$isFinite(m.schedLagMs) ? $String(m.schedLagMs) : m.schedLagMs;
                }
                if (m.controls && m.controls.length) {
                    d.controls = $Array(m.controls.length);
                    for (var j = 0; j < m.controls.length; ++j) {
                        d.controls[j] = $root.crossprobe.v1.ControlHealth.toObject(m.controls[j], o, q + 1);
                    }
                }
                if (m.resultsPublished != null && $Object.hasOwnProperty.call(m, "resultsPublished")) {
                    if (typeof $BigInt !== "undefined" && o.longs === $BigInt)
                        d.resultsPublished = typeof m.resultsPublished === "number" ? $BigInt(m.resultsPublished) : $util.Long.fromBits(m.resultsPublished.low >>> 0, m.resultsPublished.high >>> 0, true).toBigInt();
                    else if (typeof m.resultsPublished === "number")
                        d.resultsPublished = o.longs === $String ? $String(m.resultsPublished) : m.resultsPublished;
                    else
                        d.resultsPublished = o.longs === $String ? $util.Long.prototype.toString.call(m.resultsPublished) : o.longs === $Number ? new $util.LongBits(m.resultsPublished.low >>> 0, m.resultsPublished.high >>> 0).toNumber(true) : m.resultsPublished;
                }
                if (m.inFlight != null && $Object.hasOwnProperty.call(m, "inFlight")) {
                    d.inFlight = m.inFlight;
                }
                if (m.spoolBytes != null && $Object.hasOwnProperty.call(m, "spoolBytes")) {
                    if (typeof $BigInt !== "undefined" && o.longs === $BigInt)
                        d.spoolBytes = typeof m.spoolBytes === "number" ? $BigInt(m.spoolBytes) : $util.Long.fromBits(m.spoolBytes.low >>> 0, m.spoolBytes.high >>> 0, true).toBigInt();
                    else if (typeof m.spoolBytes === "number")
                        d.spoolBytes = o.longs === $String ? $String(m.spoolBytes) : m.spoolBytes;
                    else
                        d.spoolBytes = o.longs === $String ? $util.Long.prototype.toString.call(m.spoolBytes) : o.longs === $Number ? new $util.LongBits(m.spoolBytes.low >>> 0, m.spoolBytes.high >>> 0).toNumber(true) : m.spoolBytes;
                }
                if (m.rssBytes != null && $Object.hasOwnProperty.call(m, "rssBytes")) {
                    if (typeof $BigInt !== "undefined" && o.longs === $BigInt)
                        d.rssBytes = typeof m.rssBytes === "number" ? $BigInt(m.rssBytes) : $util.Long.fromBits(m.rssBytes.low >>> 0, m.rssBytes.high >>> 0, true).toBigInt();
                    else if (typeof m.rssBytes === "number")
                        d.rssBytes = o.longs === $String ? $String(m.rssBytes) : m.rssBytes;
                    else
                        d.rssBytes = o.longs === $String ? $util.Long.prototype.toString.call(m.rssBytes) : o.longs === $Number ? new $util.LongBits(m.rssBytes.low >>> 0, m.rssBytes.high >>> 0).toNumber(true) : m.rssBytes;
                }
                if (m.spoolDegraded != null && $Object.hasOwnProperty.call(m, "spoolDegraded")) {
                    d.spoolDegraded = m.spoolDegraded;
                }
                if (m.spoolError != null && $Object.hasOwnProperty.call(m, "spoolError")) {
                    d.spoolError = m.spoolError;
                }
                if (m.memoryQueueDepth != null && $Object.hasOwnProperty.call(m, "memoryQueueDepth")) {
                    if (typeof $BigInt !== "undefined" && o.longs === $BigInt)
                        d.memoryQueueDepth = typeof m.memoryQueueDepth === "number" ? $BigInt(m.memoryQueueDepth) : $util.Long.fromBits(m.memoryQueueDepth.low >>> 0, m.memoryQueueDepth.high >>> 0, true).toBigInt();
                    else if (typeof m.memoryQueueDepth === "number")
                        d.memoryQueueDepth = o.longs === $String ? $String(m.memoryQueueDepth) : m.memoryQueueDepth;
                    else
                        d.memoryQueueDepth = o.longs === $String ? $util.Long.prototype.toString.call(m.memoryQueueDepth) : o.longs === $Number ? new $util.LongBits(m.memoryQueueDepth.low >>> 0, m.memoryQueueDepth.high >>> 0).toNumber(true) : m.memoryQueueDepth;
                }
                if (m.memoryQueueBytes != null && $Object.hasOwnProperty.call(m, "memoryQueueBytes")) {
                    if (typeof $BigInt !== "undefined" && o.longs === $BigInt)
                        d.memoryQueueBytes = typeof m.memoryQueueBytes === "number" ? $BigInt(m.memoryQueueBytes) : $util.Long.fromBits(m.memoryQueueBytes.low >>> 0, m.memoryQueueBytes.high >>> 0, true).toBigInt();
                    else if (typeof m.memoryQueueBytes === "number")
                        d.memoryQueueBytes = o.longs === $String ? $String(m.memoryQueueBytes) : m.memoryQueueBytes;
                    else
                        d.memoryQueueBytes = o.longs === $String ? $util.Long.prototype.toString.call(m.memoryQueueBytes) : o.longs === $Number ? new $util.LongBits(m.memoryQueueBytes.low >>> 0, m.memoryQueueBytes.high >>> 0).toNumber(true) : m.memoryQueueBytes;
                }
                if (m.memoryQueueDropped != null && $Object.hasOwnProperty.call(m, "memoryQueueDropped")) {
                    if (typeof $BigInt !== "undefined" && o.longs === $BigInt)
                        d.memoryQueueDropped = typeof m.memoryQueueDropped === "number" ? $BigInt(m.memoryQueueDropped) : $util.Long.fromBits(m.memoryQueueDropped.low >>> 0, m.memoryQueueDropped.high >>> 0, true).toBigInt();
                    else if (typeof m.memoryQueueDropped === "number")
                        d.memoryQueueDropped = o.longs === $String ? $String(m.memoryQueueDropped) : m.memoryQueueDropped;
                    else
                        d.memoryQueueDropped = o.longs === $String ? $util.Long.prototype.toString.call(m.memoryQueueDropped) : o.longs === $Number ? new $util.LongBits(m.memoryQueueDropped.low >>> 0, m.memoryQueueDropped.high >>> 0).toNumber(true) : m.memoryQueueDropped;
                }
                return d;
            };

            /**
             * Converts this Heartbeat to JSON.
             * @function toJSON
             * @memberof crossprobe.v1.Heartbeat
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Heartbeat.prototype.toJSON = function() {
                return Heartbeat.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the type url for Heartbeat
             * @function getTypeUrl
             * @memberof crossprobe.v1.Heartbeat
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Heartbeat.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/crossprobe.v1.Heartbeat";
            };

            return Heartbeat;
        })();

        v1.IdentityRule = (function() {

            /**
             * Properties of an IdentityRule.
             * @typedef {Object} crossprobe.v1.IdentityRule.$Properties
             * @property {string|null} [header] IdentityRule header
             * @property {string|null} [pattern] IdentityRule pattern
             * @property {string|null} [name] IdentityRule name
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an IdentityRule.
             * @memberof crossprobe.v1
             * @interface IIdentityRule
             * @augments crossprobe.v1.IdentityRule.$Properties
             * @deprecated Use crossprobe.v1.IdentityRule.$Properties instead.
             */

            /**
             * Shape of an IdentityRule.
             * @typedef {crossprobe.v1.IdentityRule.$Properties} crossprobe.v1.IdentityRule.$Shape
             */

            /**
             * Constructs a new IdentityRule.
             * @memberof crossprobe.v1
             * @classdesc Represents an IdentityRule.
             * @constructor
             * @param {crossprobe.v1.IdentityRule.$Properties=} [p] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const IdentityRule = function (p) {
                if (p)
                    for (var ks = $Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            };

            /**
             * IdentityRule header.
             * @member {string} header
             * @memberof crossprobe.v1.IdentityRule
             * @instance
             */
            IdentityRule.prototype.header = "";

            /**
             * IdentityRule pattern.
             * @member {string} pattern
             * @memberof crossprobe.v1.IdentityRule
             * @instance
             */
            IdentityRule.prototype.pattern = "";

            /**
             * IdentityRule name.
             * @member {string} name
             * @memberof crossprobe.v1.IdentityRule
             * @instance
             */
            IdentityRule.prototype.name = "";

            /**
             * Creates a new IdentityRule instance using the specified properties.
             * @function create
             * @memberof crossprobe.v1.IdentityRule
             * @static
             * @param {crossprobe.v1.IdentityRule.$Properties=} [properties] Properties to set
             * @returns {crossprobe.v1.IdentityRule} IdentityRule instance
             * @type {{
             *   (properties: crossprobe.v1.IdentityRule.$Shape): crossprobe.v1.IdentityRule & crossprobe.v1.IdentityRule.$Shape;
             *   (properties?: crossprobe.v1.IdentityRule.$Properties): crossprobe.v1.IdentityRule;
             * }}
             */
            IdentityRule.create = function(properties) {
                return new IdentityRule(properties);
            };

            /**
             * Encodes the specified IdentityRule message. Does not implicitly {@link crossprobe.v1.IdentityRule.verify|verify} messages.
             * @function encode
             * @memberof crossprobe.v1.IdentityRule
             * @static
             * @param {crossprobe.v1.IdentityRule.$Properties} m IdentityRule message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            IdentityRule.encode = function (m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (m.header != null && $Object.hasOwnProperty.call(m, "header") && m.header !== "")
                    w.uint32(/* id 1, wireType 2 =*/10).string(m.header);
                if (m.pattern != null && $Object.hasOwnProperty.call(m, "pattern") && m.pattern !== "")
                    w.uint32(/* id 2, wireType 2 =*/18).string(m.pattern);
                if (m.name != null && $Object.hasOwnProperty.call(m, "name") && m.name !== "")
                    w.uint32(/* id 3, wireType 2 =*/26).string(m.name);
                if (m.$unknowns != null && $Object.hasOwnProperty.call(m, "$unknowns"))
                    for (var i = 0; i < m.$unknowns.length; ++i)
                        w.raw(m.$unknowns[i]);
                return w;
            };

            /**
             * Encodes the specified IdentityRule message, length delimited. Does not implicitly {@link crossprobe.v1.IdentityRule.verify|verify} messages.
             * @function encodeDelimited
             * @memberof crossprobe.v1.IdentityRule
             * @static
             * @param {crossprobe.v1.IdentityRule.$Properties} message IdentityRule message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            IdentityRule.encodeDelimited = function(message, writer) {
                return this.encode(message, (writer || $Writer.create()).fork()).ldelim();
            };

            /**
             * Decodes an IdentityRule message from the specified reader or buffer.
             * @function decode
             * @memberof crossprobe.v1.IdentityRule
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {crossprobe.v1.IdentityRule & crossprobe.v1.IdentityRule.$Shape} IdentityRule
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            IdentityRule.decode = function (r, l, z, q, g) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (q === $undefined)
                    q = 0;
                if (q > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                var c, m, v;
                if (l === $undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw $RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = g || new $root.crossprobe.v1.IdentityRule();
                while (r.pos < c) {
                    var s = r.pos;
                    var t = r.tag();
                    if (t === z) {
                        z = $undefined;
                        break;
                    }
                    var u = t & 7;
                    switch (t >>>= 3) {
                    case 1: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.header = v;
                            else
                                delete m.header;
                            continue;
                        }
                    case 2: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.pattern = v;
                            else
                                delete m.pattern;
                            continue;
                        }
                    case 3: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.name = v;
                            else
                                delete m.name;
                            continue;
                        }
                    }
                    r.skipType(u, q, t);
                    if (!r.discardUnknown) {
                        $util.makeProp(m, "$unknowns", false);
                        (m.$unknowns || (m.$unknowns = [])).push(r.raw(s, r.pos));
                    }
                }
                if (l !== $undefined) {
                    if (r.pos !== c)
                        throw $RangeError("index out of range");
                    r.len = l;
                }
                if (z !== $undefined)
                    throw $Error("missing end group");
                return m;
            };

            /**
             * Decodes an IdentityRule message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof crossprobe.v1.IdentityRule
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {crossprobe.v1.IdentityRule & crossprobe.v1.IdentityRule.$Shape} IdentityRule
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            IdentityRule.decodeDelimited = function(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.size());
            };

            /**
             * Verifies an IdentityRule message.
             * @function verify
             * @memberof crossprobe.v1.IdentityRule
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            IdentityRule.verify = function (m, q) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    return "max depth exceeded";
                if (m.header != null && $Object.hasOwnProperty.call(m, "header")) {
                    if (!$util.isString(m.header))
                        return "header: string expected";
                }
                if (m.pattern != null && $Object.hasOwnProperty.call(m, "pattern")) {
                    if (!$util.isString(m.pattern))
                        return "pattern: string expected";
                }
                if (m.name != null && $Object.hasOwnProperty.call(m, "name")) {
                    if (!$util.isString(m.name))
                        return "name: string expected";
                }
                return null;
            };

            /**
             * Creates an IdentityRule message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof crossprobe.v1.IdentityRule
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {crossprobe.v1.IdentityRule} IdentityRule
             */
            IdentityRule.fromObject = function (d, q) {
                if (d instanceof $root.crossprobe.v1.IdentityRule)
                    return d;
                if (!$util.isObject(d))
                    throw $TypeError(".crossprobe.v1.IdentityRule: object expected");
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                var m = new $root.crossprobe.v1.IdentityRule();
                if (d.header != null) {
                    if (typeof d.header !== "string" || d.header.length) {
                        m.header = $String(d.header);
                    }
                }
                if (d.pattern != null) {
                    if (typeof d.pattern !== "string" || d.pattern.length) {
                        m.pattern = $String(d.pattern);
                    }
                }
                if (d.name != null) {
                    if (typeof d.name !== "string" || d.name.length) {
                        m.name = $String(d.name);
                    }
                }
                return m;
            };

            /**
             * Creates a plain object from an IdentityRule message. Also converts values to other types if specified.
             * @function toObject
             * @memberof crossprobe.v1.IdentityRule
             * @static
             * @param {crossprobe.v1.IdentityRule} m IdentityRule
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            IdentityRule.toObject = function (m, o, q) {
                if (!o)
                    o = {};
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.header = "";
                    d.pattern = "";
                    d.name = "";
                }
                if (m.header != null && $Object.hasOwnProperty.call(m, "header")) {
                    d.header = m.header;
                }
                if (m.pattern != null && $Object.hasOwnProperty.call(m, "pattern")) {
                    d.pattern = m.pattern;
                }
                if (m.name != null && $Object.hasOwnProperty.call(m, "name")) {
                    d.name = m.name;
                }
                return d;
            };

            /**
             * Converts this IdentityRule to JSON.
             * @function toJSON
             * @memberof crossprobe.v1.IdentityRule
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            IdentityRule.prototype.toJSON = function() {
                return IdentityRule.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the type url for IdentityRule
             * @function getTypeUrl
             * @memberof crossprobe.v1.IdentityRule
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            IdentityRule.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/crossprobe.v1.IdentityRule";
            };

            return IdentityRule;
        })();

        v1.Target = (function() {

            /**
             * Properties of a Target.
             * @typedef {Object} crossprobe.v1.Target.$Properties
             * @property {string|null} [id] Target id
             * @property {string|null} [url] Target url
             * @property {string|null} [method] Target method
             * @property {number|null} [intervalMs] Target intervalMs
             * @property {number|null} [timeoutMs] Target timeoutMs
             * @property {number|null} [expectStatusMin] Target expectStatusMin
             * @property {number|null} [expectStatusMax] Target expectStatusMax
             * @property {string|null} [bodyContains] Target bodyContains
             * @property {boolean|null} [resolveAll] Target resolveAll
             * @property {Array.<string>|null} [regions] Target regions
             * @property {Array.<crossprobe.v1.IdentityRule.$Properties>|null} [identity] Target identity
             * @property {Object.<string,string>|null} [requestHeaders] Target requestHeaders
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Target.
             * @memberof crossprobe.v1
             * @interface ITarget
             * @augments crossprobe.v1.Target.$Properties
             * @deprecated Use crossprobe.v1.Target.$Properties instead.
             */

            /**
             * Shape of a Target.
             * @typedef {crossprobe.v1.Target.$Properties} crossprobe.v1.Target.$Shape
             */

            /**
             * Constructs a new Target.
             * @memberof crossprobe.v1
             * @classdesc Represents a Target.
             * @constructor
             * @param {crossprobe.v1.Target.$Properties=} [p] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Target = function (p) {
                this.regions = [];
                this.identity = [];
                this.requestHeaders = {};
                if (p)
                    for (var ks = $Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            };

            /**
             * Target id.
             * @member {string} id
             * @memberof crossprobe.v1.Target
             * @instance
             */
            Target.prototype.id = "";

            /**
             * Target url.
             * @member {string} url
             * @memberof crossprobe.v1.Target
             * @instance
             */
            Target.prototype.url = "";

            /**
             * Target method.
             * @member {string} method
             * @memberof crossprobe.v1.Target
             * @instance
             */
            Target.prototype.method = "";

            /**
             * Target intervalMs.
             * @member {number} intervalMs
             * @memberof crossprobe.v1.Target
             * @instance
             */
            Target.prototype.intervalMs = 0;

            /**
             * Target timeoutMs.
             * @member {number} timeoutMs
             * @memberof crossprobe.v1.Target
             * @instance
             */
            Target.prototype.timeoutMs = 0;

            /**
             * Target expectStatusMin.
             * @member {number} expectStatusMin
             * @memberof crossprobe.v1.Target
             * @instance
             */
            Target.prototype.expectStatusMin = 0;

            /**
             * Target expectStatusMax.
             * @member {number} expectStatusMax
             * @memberof crossprobe.v1.Target
             * @instance
             */
            Target.prototype.expectStatusMax = 0;

            /**
             * Target bodyContains.
             * @member {string|null|undefined} bodyContains
             * @memberof crossprobe.v1.Target
             * @instance
             */
            Target.prototype.bodyContains = null;

            /**
             * Target resolveAll.
             * @member {boolean} resolveAll
             * @memberof crossprobe.v1.Target
             * @instance
             */
            Target.prototype.resolveAll = false;

            /**
             * Target regions.
             * @member {Array.<string>} regions
             * @memberof crossprobe.v1.Target
             * @instance
             */
            Target.prototype.regions = $util.emptyArray;

            /**
             * Target identity.
             * @member {Array.<crossprobe.v1.IdentityRule.$Properties>} identity
             * @memberof crossprobe.v1.Target
             * @instance
             */
            Target.prototype.identity = $util.emptyArray;

            /**
             * Target requestHeaders.
             * @member {Object.<string,string>} requestHeaders
             * @memberof crossprobe.v1.Target
             * @instance
             */
            Target.prototype.requestHeaders = $util.emptyObject;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            // Virtual OneOf for proto3 optional field
            $Object.defineProperty(Target.prototype, "_bodyContains", {
                get: $util.oneOfGetter($oneOfFields = ["bodyContains"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new Target instance using the specified properties.
             * @function create
             * @memberof crossprobe.v1.Target
             * @static
             * @param {crossprobe.v1.Target.$Properties=} [properties] Properties to set
             * @returns {crossprobe.v1.Target} Target instance
             * @type {{
             *   (properties: crossprobe.v1.Target.$Shape): crossprobe.v1.Target & crossprobe.v1.Target.$Shape;
             *   (properties?: crossprobe.v1.Target.$Properties): crossprobe.v1.Target;
             * }}
             */
            Target.create = function(properties) {
                return new Target(properties);
            };

            /**
             * Encodes the specified Target message. Does not implicitly {@link crossprobe.v1.Target.verify|verify} messages.
             * @function encode
             * @memberof crossprobe.v1.Target
             * @static
             * @param {crossprobe.v1.Target.$Properties} m Target message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Target.encode = function (m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (m.id != null && $Object.hasOwnProperty.call(m, "id") && m.id !== "")
                    w.uint32(/* id 1, wireType 2 =*/10).string(m.id);
                if (m.url != null && $Object.hasOwnProperty.call(m, "url") && m.url !== "")
                    w.uint32(/* id 2, wireType 2 =*/18).string(m.url);
                if (m.method != null && $Object.hasOwnProperty.call(m, "method") && m.method !== "")
                    w.uint32(/* id 3, wireType 2 =*/26).string(m.method);
                if (m.intervalMs != null && $Object.hasOwnProperty.call(m, "intervalMs") && m.intervalMs !== 0)
                    w.uint32(/* id 4, wireType 0 =*/32).uint32(m.intervalMs);
                if (m.timeoutMs != null && $Object.hasOwnProperty.call(m, "timeoutMs") && m.timeoutMs !== 0)
                    w.uint32(/* id 5, wireType 0 =*/40).uint32(m.timeoutMs);
                if (m.expectStatusMin != null && $Object.hasOwnProperty.call(m, "expectStatusMin") && m.expectStatusMin !== 0)
                    w.uint32(/* id 6, wireType 0 =*/48).uint32(m.expectStatusMin);
                if (m.expectStatusMax != null && $Object.hasOwnProperty.call(m, "expectStatusMax") && m.expectStatusMax !== 0)
                    w.uint32(/* id 7, wireType 0 =*/56).uint32(m.expectStatusMax);
                if (m.bodyContains != null && $Object.hasOwnProperty.call(m, "bodyContains"))
                    w.uint32(/* id 8, wireType 2 =*/66).string(m.bodyContains);
                if (m.resolveAll != null && $Object.hasOwnProperty.call(m, "resolveAll") && m.resolveAll !== false)
                    w.uint32(/* id 9, wireType 0 =*/72).bool(m.resolveAll);
                if (m.regions != null && m.regions.length) {
                    for (var i = 0; i < m.regions.length; ++i)
                        w.uint32(/* id 10, wireType 2 =*/82).string(m.regions[i]);
                }
                if (m.identity != null && m.identity.length) {
                    for (var i = 0; i < m.identity.length; ++i)
                        $root.crossprobe.v1.IdentityRule.encode(m.identity[i], w.uint32(/* id 11, wireType 2 =*/90).fork(), q + 1).ldelim();
                }
                if (m.requestHeaders != null && $Object.hasOwnProperty.call(m, "requestHeaders")) {
                    for (var ks = $Object.keys(m.requestHeaders), i = 0; i < ks.length; ++i) {
                        w.uint32(/* id 12, wireType 2 =*/98).fork().uint32(/* id 1, wireType 2 =*/10).string(ks[i]).uint32(/* id 2, wireType 2 =*/18).string(m.requestHeaders[ks[i]]).ldelim();
                    }
                }
                if (m.$unknowns != null && $Object.hasOwnProperty.call(m, "$unknowns"))
                    for (var i = 0; i < m.$unknowns.length; ++i)
                        w.raw(m.$unknowns[i]);
                return w;
            };

            /**
             * Encodes the specified Target message, length delimited. Does not implicitly {@link crossprobe.v1.Target.verify|verify} messages.
             * @function encodeDelimited
             * @memberof crossprobe.v1.Target
             * @static
             * @param {crossprobe.v1.Target.$Properties} message Target message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Target.encodeDelimited = function(message, writer) {
                return this.encode(message, (writer || $Writer.create()).fork()).ldelim();
            };

            /**
             * Decodes a Target message from the specified reader or buffer.
             * @function decode
             * @memberof crossprobe.v1.Target
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {crossprobe.v1.Target & crossprobe.v1.Target.$Shape} Target
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Target.decode = function (r, l, z, q, g) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (q === $undefined)
                    q = 0;
                if (q > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                var c, m, k, v;
                if (l === $undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw $RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = g || new $root.crossprobe.v1.Target();
                while (r.pos < c) {
                    var s = r.pos;
                    var t = r.tag();
                    if (t === z) {
                        z = $undefined;
                        break;
                    }
                    var u = t & 7;
                    switch (t >>>= 3) {
                    case 1: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.id = v;
                            else
                                delete m.id;
                            continue;
                        }
                    case 2: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.url = v;
                            else
                                delete m.url;
                            continue;
                        }
                    case 3: {
                            if (u !== 2)
                                break;
                            if ((v = r.stringVerify()).length)
                                m.method = v;
                            else
                                delete m.method;
                            continue;
                        }
                    case 4: {
                            if (u !== 0)
                                break;
                            if (v = r.uint32())
                                m.intervalMs = v;
                            else
                                delete m.intervalMs;
                            continue;
                        }
                    case 5: {
                            if (u !== 0)
                                break;
                            if (v = r.uint32())
                                m.timeoutMs = v;
                            else
                                delete m.timeoutMs;
                            continue;
                        }
                    case 6: {
                            if (u !== 0)
                                break;
                            if (v = r.uint32())
                                m.expectStatusMin = v;
                            else
                                delete m.expectStatusMin;
                            continue;
                        }
                    case 7: {
                            if (u !== 0)
                                break;
                            if (v = r.uint32())
                                m.expectStatusMax = v;
                            else
                                delete m.expectStatusMax;
                            continue;
                        }
                    case 8: {
                            if (u !== 2)
                                break;
                            m.bodyContains = r.stringVerify();
                            m._bodyContains = "bodyContains";
                            continue;
                        }
                    case 9: {
                            if (u !== 0)
                                break;
                            if (v = r.bool())
                                m.resolveAll = v;
                            else
                                delete m.resolveAll;
                            continue;
                        }
                    case 10: {
                            if (u !== 2)
                                break;
                            if (!(m.regions && m.regions.length))
                                m.regions = [];
                            m.regions.push(r.stringVerify());
                            continue;
                        }
                    case 11: {
                            if (u !== 2)
                                break;
                            if (!(m.identity && m.identity.length))
                                m.identity = [];
                            m.identity.push($root.crossprobe.v1.IdentityRule.decode(r, r.size(), $undefined, q + 1));
                            continue;
                        }
                    case 12: {
                            if (u !== 2)
                                break;
                            if (m.requestHeaders === $util.emptyObject)
                                m.requestHeaders = {};
                            var c2 = r.size() + r.pos;
                            if (c2 > r.len)
                                throw $RangeError("index out of range");
                            r.len = c2;
                            k = "";
                            v = "";
                            while (r.pos < c2) {
                                var t2 = r.tag();
                                u = t2 & 7;
                                switch (t2 >>>= 3) {
                                case 1:
                                    if (u !== 2)
                                        break;
                                    k = r.stringVerify();
                                    continue;
                                case 2:
                                    if (u !== 2)
                                        break;
                                    v = r.stringVerify();
                                    continue;
                                }
                                r.skipType(u, q, t2);
                            }
                            if (r.pos !== c2)
                                throw $RangeError("index out of range");
                            r.len = c;
                            if (k === "__proto__")
                                $util.makeProp(m.requestHeaders, k);
                            m.requestHeaders[k] = v;
                            continue;
                        }
                    }
                    r.skipType(u, q, t);
                    if (!r.discardUnknown) {
                        $util.makeProp(m, "$unknowns", false);
                        (m.$unknowns || (m.$unknowns = [])).push(r.raw(s, r.pos));
                    }
                }
                if (l !== $undefined) {
                    if (r.pos !== c)
                        throw $RangeError("index out of range");
                    r.len = l;
                }
                if (z !== $undefined)
                    throw $Error("missing end group");
                return m;
            };

            /**
             * Decodes a Target message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof crossprobe.v1.Target
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {crossprobe.v1.Target & crossprobe.v1.Target.$Shape} Target
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Target.decodeDelimited = function(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.size());
            };

            /**
             * Verifies a Target message.
             * @function verify
             * @memberof crossprobe.v1.Target
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Target.verify = function (m, q) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    return "max depth exceeded";
                var p = {};
                if (m.id != null && $Object.hasOwnProperty.call(m, "id")) {
                    if (!$util.isString(m.id))
                        return "id: string expected";
                }
                if (m.url != null && $Object.hasOwnProperty.call(m, "url")) {
                    if (!$util.isString(m.url))
                        return "url: string expected";
                }
                if (m.method != null && $Object.hasOwnProperty.call(m, "method")) {
                    if (!$util.isString(m.method))
                        return "method: string expected";
                }
                if (m.intervalMs != null && $Object.hasOwnProperty.call(m, "intervalMs")) {
                    if (!$util.isInteger(m.intervalMs))
                        return "intervalMs: integer expected";
                }
                if (m.timeoutMs != null && $Object.hasOwnProperty.call(m, "timeoutMs")) {
                    if (!$util.isInteger(m.timeoutMs))
                        return "timeoutMs: integer expected";
                }
                if (m.expectStatusMin != null && $Object.hasOwnProperty.call(m, "expectStatusMin")) {
                    if (!$util.isInteger(m.expectStatusMin))
                        return "expectStatusMin: integer expected";
                }
                if (m.expectStatusMax != null && $Object.hasOwnProperty.call(m, "expectStatusMax")) {
                    if (!$util.isInteger(m.expectStatusMax))
                        return "expectStatusMax: integer expected";
                }
                if (m.bodyContains != null && $Object.hasOwnProperty.call(m, "bodyContains")) {
                    p._bodyContains = 1;
                    if (!$util.isString(m.bodyContains))
                        return "bodyContains: string expected";
                }
                if (m.resolveAll != null && $Object.hasOwnProperty.call(m, "resolveAll")) {
                    if (typeof m.resolveAll !== "boolean")
                        return "resolveAll: boolean expected";
                }
                if (m.regions != null && $Object.hasOwnProperty.call(m, "regions")) {
                    if (!$Array.isArray(m.regions))
                        return "regions: array expected";
                    for (var i = 0; i < m.regions.length; ++i) {
                        if (!$util.isString(m.regions[i]))
                            return "regions: string[] expected";
                    }
                }
                if (m.identity != null && $Object.hasOwnProperty.call(m, "identity")) {
                    if (!$Array.isArray(m.identity))
                        return "identity: array expected";
                    for (var i = 0; i < m.identity.length; ++i) {
                        {
                            var e = $root.crossprobe.v1.IdentityRule.verify(m.identity[i], q + 1);
                            if (e)
                                return "identity." + e;
                        }
                    }
                }
                if (m.requestHeaders != null && $Object.hasOwnProperty.call(m, "requestHeaders")) {
                    if (!$util.isObject(m.requestHeaders))
                        return "requestHeaders: object expected";
                    var k = $Object.keys(m.requestHeaders);
                    for (var i = 0; i < k.length; ++i) {
                        if (!$util.isString(m.requestHeaders[k[i]]))
                            return "requestHeaders: string{k:string} expected";
                    }
                }
                return null;
            };

            /**
             * Creates a Target message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof crossprobe.v1.Target
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {crossprobe.v1.Target} Target
             */
            Target.fromObject = function (d, q) {
                if (d instanceof $root.crossprobe.v1.Target)
                    return d;
                if (!$util.isObject(d))
                    throw $TypeError(".crossprobe.v1.Target: object expected");
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                var m = new $root.crossprobe.v1.Target();
                if (d.id != null) {
                    if (typeof d.id !== "string" || d.id.length) {
                        m.id = $String(d.id);
                    }
                }
                if (d.url != null) {
                    if (typeof d.url !== "string" || d.url.length) {
                        m.url = $String(d.url);
                    }
                }
                if (d.method != null) {
                    if (typeof d.method !== "string" || d.method.length) {
                        m.method = $String(d.method);
                    }
                }
                if (d.intervalMs != null) {
                    if ($Number(d.intervalMs) !== 0) {
                        m.intervalMs = d.intervalMs >>> 0;
                    }
                }
                if (d.timeoutMs != null) {
                    if ($Number(d.timeoutMs) !== 0) {
                        m.timeoutMs = d.timeoutMs >>> 0;
                    }
                }
                if (d.expectStatusMin != null) {
                    if ($Number(d.expectStatusMin) !== 0) {
                        m.expectStatusMin = d.expectStatusMin >>> 0;
                    }
                }
                if (d.expectStatusMax != null) {
                    if ($Number(d.expectStatusMax) !== 0) {
                        m.expectStatusMax = d.expectStatusMax >>> 0;
                    }
                }
                if (d.bodyContains != null) {
                    m.bodyContains = $String(d.bodyContains);
                }
                if (d.resolveAll != null) {
                    if (d.resolveAll) {
                        m.resolveAll = $Boolean(d.resolveAll);
                    }
                }
                if (d.regions) {
                    if (!$Array.isArray(d.regions))
                        throw $TypeError(".crossprobe.v1.Target.regions: array expected");
                    m.regions = $Array(d.regions.length);
                    for (var i = 0; i < d.regions.length; ++i) {
                        m.regions[i] = $String(d.regions[i]);
                    }
                }
                if (d.identity) {
                    if (!$Array.isArray(d.identity))
                        throw $TypeError(".crossprobe.v1.Target.identity: array expected");
                    m.identity = $Array(d.identity.length);
                    for (var i = 0; i < d.identity.length; ++i) {
                        if (!$util.isObject(d.identity[i]))
                            throw $TypeError(".crossprobe.v1.Target.identity: object expected");
                        m.identity[i] = $root.crossprobe.v1.IdentityRule.fromObject(d.identity[i], q + 1);
                    }
                }
                if (d.requestHeaders) {
                    if (!$util.isObject(d.requestHeaders))
                        throw $TypeError(".crossprobe.v1.Target.requestHeaders: object expected");
                    m.requestHeaders = {};
                    for (var ks = $Object.keys(d.requestHeaders), i = 0; i < ks.length; ++i) {
                        if (ks[i] === "__proto__")
                            $util.makeProp(m.requestHeaders, ks[i]);
                        m.requestHeaders[ks[i]] = $String(d.requestHeaders[ks[i]]);
                    }
                }
                return m;
            };

            /**
             * Creates a plain object from a Target message. Also converts values to other types if specified.
             * @function toObject
             * @memberof crossprobe.v1.Target
             * @static
             * @param {crossprobe.v1.Target} m Target
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Target.toObject = function (m, o, q) {
                if (!o)
                    o = {};
                if (q === $undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                var d = {};
                if (o.arrays || o.defaults) {
                    d.regions = [];
                    d.identity = [];
                }
                if (o.objects || o.defaults) {
                    d.requestHeaders = {};
                }
                if (o.defaults) {
                    d.id = "";
                    d.url = "";
                    d.method = "";
                    d.intervalMs = 0;
                    d.timeoutMs = 0;
                    d.expectStatusMin = 0;
                    d.expectStatusMax = 0;
                    d.resolveAll = false;
                }
                if (m.id != null && $Object.hasOwnProperty.call(m, "id")) {
                    d.id = m.id;
                }
                if (m.url != null && $Object.hasOwnProperty.call(m, "url")) {
                    d.url = m.url;
                }
                if (m.method != null && $Object.hasOwnProperty.call(m, "method")) {
                    d.method = m.method;
                }
                if (m.intervalMs != null && $Object.hasOwnProperty.call(m, "intervalMs")) {
                    d.intervalMs = m.intervalMs;
                }
                if (m.timeoutMs != null && $Object.hasOwnProperty.call(m, "timeoutMs")) {
                    d.timeoutMs = m.timeoutMs;
                }
                if (m.expectStatusMin != null && $Object.hasOwnProperty.call(m, "expectStatusMin")) {
                    d.expectStatusMin = m.expectStatusMin;
                }
                if (m.expectStatusMax != null && $Object.hasOwnProperty.call(m, "expectStatusMax")) {
                    d.expectStatusMax = m.expectStatusMax;
                }
                if (m.bodyContains != null && $Object.hasOwnProperty.call(m, "bodyContains")) {
                    d.bodyContains = m.bodyContains;
                }
                if (m.resolveAll != null && $Object.hasOwnProperty.call(m, "resolveAll")) {
                    d.resolveAll = m.resolveAll;
                }
                if (m.regions && m.regions.length) {
                    d.regions = $Array(m.regions.length);
                    for (var j = 0; j < m.regions.length; ++j) {
                        d.regions[j] = m.regions[j];
                    }
                }
                if (m.identity && m.identity.length) {
                    d.identity = $Array(m.identity.length);
                    for (var j = 0; j < m.identity.length; ++j) {
                        d.identity[j] = $root.crossprobe.v1.IdentityRule.toObject(m.identity[j], o, q + 1);
                    }
                }
                var ks2;
                if (m.requestHeaders && (ks2 = $Object.keys(m.requestHeaders)).length) {
                    d.requestHeaders = {};
                    for (var j = 0; j < ks2.length; ++j) {
                        if (ks2[j] === "__proto__")
                            $util.makeProp(d.requestHeaders, ks2[j]);
                        d.requestHeaders[ks2[j]] = m.requestHeaders[ks2[j]];
                    }
                }
                return d;
            };

            /**
             * Converts this Target to JSON.
             * @function toJSON
             * @memberof crossprobe.v1.Target
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Target.prototype.toJSON = function() {
                return Target.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the type url for Target
             * @function getTypeUrl
             * @memberof crossprobe.v1.Target
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Target.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/crossprobe.v1.Target";
            };

            return Target;
        })();

        return v1;
    })();

    return crossprobe;
})();

export {
  $root as default
};
