package engram.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * Writes a {@link ResolvedExperiment} as YAML: every default filled in and each plugin section with
 * its {@code id} first. This is {@code config.resolved.yaml} of a run directory and the output of
 * {@code engram validate}; loading it again gives an equal experiment.
 */
public final class ExperimentYaml {
  private final ObjectMapper mapper;

  /**
   * @param mapper a mapper from {@link ConfigMapper#create()}; never null
   */
  public ExperimentYaml(ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /** The experiment as YAML text. */
  public String write(ResolvedExperiment experiment) {
    ObjectNode root = mapper.createObjectNode();
    root.put("name", experiment.name());
    if (experiment.description() != null) {
      root.put("description", experiment.description());
    }
    root.put("seed", experiment.seed());
    root.set("precision", mapper.valueToTree(experiment.precision()));
    root.set("task", section(experiment.task()));
    root.set("model", section(experiment.model()));
    root.set("curriculum", section(experiment.curriculum()));
    ArrayNode regularizers = root.putArray("regularizers");
    experiment.regularizers().forEach(r -> regularizers.add(section(r)));
    ArrayNode analyzers = root.putArray("analyzers");
    experiment.analyzers().forEach(a -> analyzers.add(section(a)));
    root.set("training", mapper.valueToTree(experiment.training()));
    root.set("evaluation", mapper.valueToTree(experiment.evaluation()));
    root.set("output", mapper.valueToTree(experiment.output()));
    try {
      return mapper.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the resolved experiment as YAML", e);
    }
  }

  private ObjectNode section(PluginChoice choice) {
    ObjectNode node = mapper.createObjectNode();
    node.put("id", choice.id());
    JsonNode config = mapper.valueToTree(choice.config());
    if (config instanceof ObjectNode object) {
      node.setAll(object);
    }
    return node;
  }
}
