// @ts-nocheck
// Generated from compiler/emit/templates/*.hbs by compiler/emit/templates-source.ts. Do not edit:
// change a template, then run PGFERRY_UPDATE_GOLDEN=1 npx vitest run test/compiler/emit.

export const templateSpecs = {
  "patroni.yaml.snippet": {"compiler":[8,">= 4.3.0"],"main":function(container,depth0,helpers,partials,data) {
    var stack1, helper, alias1=container.strict, alias2=depth0 != null ? depth0 : (container.nullContext || {}), alias3="function", lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return "# pgferry: Patroni dynamic configuration for plan \""
    + ((stack1 = (((helper = lookupProperty(helpers,"plan") || alias1(depth0, "plan", {"start":{"line":1,"column":53},"end":{"line":1,"column":57}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"plan","hash":{},"data":data,"loc":{"start":{"line":1,"column":51},"end":{"line":1,"column":59}}}) : helper))) != null ? stack1 : "")
    + "\" (scope "
    + ((stack1 = (((helper = lookupProperty(helpers,"scope") || alias1(depth0, "scope", {"start":{"line":1,"column":70},"end":{"line":1,"column":75}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"scope","hash":{},"data":data,"loc":{"start":{"line":1,"column":68},"end":{"line":1,"column":77}}}) : helper))) != null ? stack1 : "")
    + ", source PostgreSQL "
    + ((stack1 = (((helper = lookupProperty(helpers,"version") || alias1(depth0, "version", {"start":{"line":1,"column":99},"end":{"line":1,"column":106}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"version","hash":{},"data":data,"loc":{"start":{"line":1,"column":97},"end":{"line":1,"column":108}}}) : helper))) != null ? stack1 : "")
    + ")\n# Generated from the plan by pgferry; do not edit. Merge into the cluster's dynamic configuration\n# (patronictl edit-config, or PATCH "
    + ((stack1 = (((helper = lookupProperty(helpers,"restUrl") || alias1(depth0, "restUrl", {"start":{"line":3,"column":38},"end":{"line":3,"column":45}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"restUrl","hash":{},"data":data,"loc":{"start":{"line":3,"column":36},"end":{"line":3,"column":47}}}) : helper))) != null ? stack1 : "")
    + "/config): Patroni owns postgresql.conf on this host,\n# and it must leave the DMS replication slots alone.\n"
    + ((stack1 = (((helper = lookupProperty(helpers,"body") || alias1(depth0, "body", {"start":{"line":5,"column":2},"end":{"line":5,"column":6}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"body","hash":{},"data":data,"loc":{"start":{"line":5,"column":0},"end":{"line":5,"column":8}}}) : helper))) != null ? stack1 : "")
    + "\n";
},"useData":true},
  "pg_hba.conf.snippet": {"0":function(container,depth0,helpers,partials,data) {
    var stack1, helper, alias1=container.strict, alias2=depth0 != null ? depth0 : (container.nullContext || {}), alias3="function", lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return "# "
    + ((stack1 = (((helper = lookupProperty(helpers,"comment") || alias1(depth0, "comment", {"start":{"line":6,"column":4},"end":{"line":6,"column":11}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"comment","hash":{},"data":data,"loc":{"start":{"line":6,"column":2},"end":{"line":6,"column":13}}}) : helper))) != null ? stack1 : "")
    + "\n"
    + ((stack1 = (((helper = lookupProperty(helpers,"line") || alias1(depth0, "line", {"start":{"line":7,"column":2},"end":{"line":7,"column":6}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"line","hash":{},"data":data,"loc":{"start":{"line":7,"column":0},"end":{"line":7,"column":8}}}) : helper))) != null ? stack1 : "")
    + "\n";
},"1":function(container,depth0,helpers,partials,data) {
    var stack1;

  return "# "
    + ((stack1 = container.lambda(depth0, depth0)) != null ? stack1 : "")
    + "\n";
},"compiler":[8,">= 4.3.0"],"main":function(container,depth0,helpers,partials,data) {
    var stack1, helper, alias1=container.strict, alias2=depth0 != null ? depth0 : (container.nullContext || {}), alias3="function", lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return "# pgferry: pg_hba.conf rules for plan \""
    + ((stack1 = (((helper = lookupProperty(helpers,"plan") || alias1(depth0, "plan", {"start":{"line":1,"column":41},"end":{"line":1,"column":45}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"plan","hash":{},"data":data,"loc":{"start":{"line":1,"column":39},"end":{"line":1,"column":47}}}) : helper))) != null ? stack1 : "")
    + "\" (source PostgreSQL "
    + ((stack1 = (((helper = lookupProperty(helpers,"version") || alias1(depth0, "version", {"start":{"line":1,"column":70},"end":{"line":1,"column":77}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"version","hash":{},"data":data,"loc":{"start":{"line":1,"column":68},"end":{"line":1,"column":79}}}) : helper))) != null ? stack1 : "")
    + ")\n# Generated from the plan by pgferry; do not edit. The agent keeps them between the markers, placed\n# before the first non-local rule, checks the file with the server and reloads (no restart).\n# BEGIN pgferry "
    + ((stack1 = (((helper = lookupProperty(helpers,"block") || alias1(depth0, "block", {"start":{"line":4,"column":18},"end":{"line":4,"column":23}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"block","hash":{},"data":data,"loc":{"start":{"line":4,"column":16},"end":{"line":4,"column":25}}}) : helper))) != null ? stack1 : "")
    + "\n"
    + ((stack1 = lookupProperty(helpers,"each").call(alias2,lookupProperty(depth0,"rules"),{"name":"each","hash":{},"fn":container.program(0, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":5,"column":0},"end":{"line":8,"column":9}}})) != null ? stack1 : "")
    + "# END pgferry "
    + ((stack1 = (((helper = lookupProperty(helpers,"block") || alias1(depth0, "block", {"start":{"line":9,"column":16},"end":{"line":9,"column":21}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"block","hash":{},"data":data,"loc":{"start":{"line":9,"column":14},"end":{"line":9,"column":23}}}) : helper))) != null ? stack1 : "")
    + "\n#\n# At cutover the write fence ("
    + ((stack1 = (((helper = lookupProperty(helpers,"fenceMethod") || alias1(depth0, "fenceMethod", {"start":{"line":11,"column":32},"end":{"line":11,"column":43}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"fenceMethod","hash":{},"data":data,"loc":{"start":{"line":11,"column":30},"end":{"line":11,"column":45}}}) : helper))) != null ? stack1 : "")
    + ") stops writes from: "
    + ((stack1 = (((helper = lookupProperty(helpers,"fenceRoles") || alias1(depth0, "fenceRoles", {"start":{"line":11,"column":68},"end":{"line":11,"column":78}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"fenceRoles","hash":{},"data":data,"loc":{"start":{"line":11,"column":66},"end":{"line":11,"column":80}}}) : helper))) != null ? stack1 : "")
    + "\n"
    + ((stack1 = lookupProperty(helpers,"each").call(alias2,lookupProperty(depth0,"fenceLines"),{"name":"each","hash":{},"fn":container.program(1, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":12,"column":0},"end":{"line":14,"column":9}}})) != null ? stack1 : "");
},"useData":true},
  "postgresql.conf.snippet": {"0":function(container,depth0,helpers,partials,data) {
    var stack1, lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return ((stack1 = lookupProperty(helpers,"each").call(depth0 != null ? depth0 : (container.nullContext || {}),lookupProperty(depth0,"settings"),{"name":"each","hash":{},"fn":container.program(1, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":5,"column":0},"end":{"line":7,"column":9}}})) != null ? stack1 : "");
},"1":function(container,depth0,helpers,partials,data) {
    var stack1, helper, lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return ((stack1 = (((helper = lookupProperty(helpers,"line") || container.strict(depth0, "line", {"start":{"line":6,"column":2},"end":{"line":6,"column":6}} ))),(typeof helper === "function" ? helper.call(depth0 != null ? depth0 : (container.nullContext || {}),{"name":"line","hash":{},"data":data,"loc":{"start":{"line":6,"column":0},"end":{"line":6,"column":8}}}) : helper))) != null ? stack1 : "")
    + "\n";
},"2":function(container,depth0,helpers,partials,data) {
    return "# No server settings to change.\n";
},"3":function(container,depth0,helpers,partials,data) {
    var stack1, helper, alias1=container.strict, alias2=depth0 != null ? depth0 : (container.nullContext || {}), alias3="function", lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return "# role setting (not a server setting): ALTER ROLE "
    + ((stack1 = (((helper = lookupProperty(helpers,"role") || alias1(depth0, "role", {"start":{"line":12,"column":52},"end":{"line":12,"column":56}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"role","hash":{},"data":data,"loc":{"start":{"line":12,"column":50},"end":{"line":12,"column":58}}}) : helper))) != null ? stack1 : "")
    + " SET "
    + ((stack1 = (((helper = lookupProperty(helpers,"name") || alias1(depth0, "name", {"start":{"line":12,"column":65},"end":{"line":12,"column":69}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"name","hash":{},"data":data,"loc":{"start":{"line":12,"column":63},"end":{"line":12,"column":71}}}) : helper))) != null ? stack1 : "")
    + " = "
    + ((stack1 = (((helper = lookupProperty(helpers,"value") || alias1(depth0, "value", {"start":{"line":12,"column":76},"end":{"line":12,"column":81}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"value","hash":{},"data":data,"loc":{"start":{"line":12,"column":74},"end":{"line":12,"column":83}}}) : helper))) != null ? stack1 : "")
    + ";  -- "
    + ((stack1 = (((helper = lookupProperty(helpers,"reason") || alias1(depth0, "reason", {"start":{"line":12,"column":91},"end":{"line":12,"column":97}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"reason","hash":{},"data":data,"loc":{"start":{"line":12,"column":89},"end":{"line":12,"column":99}}}) : helper))) != null ? stack1 : "")
    + "\n";
},"compiler":[8,">= 4.3.0"],"main":function(container,depth0,helpers,partials,data) {
    var stack1, helper, alias1=container.strict, alias2=depth0 != null ? depth0 : (container.nullContext || {}), alias3="function", lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return "# pgferry: postgresql.conf settings for plan \""
    + ((stack1 = (((helper = lookupProperty(helpers,"plan") || alias1(depth0, "plan", {"start":{"line":1,"column":48},"end":{"line":1,"column":52}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"plan","hash":{},"data":data,"loc":{"start":{"line":1,"column":46},"end":{"line":1,"column":54}}}) : helper))) != null ? stack1 : "")
    + "\" (source PostgreSQL "
    + ((stack1 = (((helper = lookupProperty(helpers,"version") || alias1(depth0, "version", {"start":{"line":1,"column":77},"end":{"line":1,"column":84}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"version","hash":{},"data":data,"loc":{"start":{"line":1,"column":75},"end":{"line":1,"column":86}}}) : helper))) != null ? stack1 : "")
    + ")\n# Generated from the plan by pgferry; do not edit. The agent applies them with ALTER SYSTEM.\n# Settings marked [restart] take effect only after a restart, which needs explicit consent.\n"
    + ((stack1 = lookupProperty(helpers,"if").call(alias2,lookupProperty(lookupProperty(depth0,"settings"),"length"),{"name":"if","hash":{},"fn":container.program(0, data, 0),"inverse":container.program(2, data, 0),"data":data,"loc":{"start":{"line":4,"column":0},"end":{"line":10,"column":7}}})) != null ? stack1 : "")
    + ((stack1 = lookupProperty(helpers,"each").call(alias2,lookupProperty(depth0,"roleSettings"),{"name":"each","hash":{},"fn":container.program(3, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":11,"column":0},"end":{"line":13,"column":9}}})) != null ? stack1 : "");
},"useData":true},
};
