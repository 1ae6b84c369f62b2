package engram.core.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one Jackson configuration for experiment files and configuration records: YAML, record
 * components as kebab-case keys ({@code hiddenSize} ↔ {@code hidden-size}), every enum as the
 * kebab-case of its constant ({@code LEAKY_RELU} ↔ {@code leaky-relu}; the constant name is
 * accepted too), duplicate keys rejected, no silent truncation of {@code 2.5} to an integer.
 * Plugins' records need no Jackson annotations.
 */
public final class ConfigMapper {
  private ConfigMapper() {}

  /** A new mapper configured as described above. */
  public static YAMLMapper create() {
    YAMLFactory factory =
        YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL) // "key:" with no value is null
            .build();
    return YAMLMapper.builder(factory)
        .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .addModule(module())
        .build();
  }

  /** The YAML spelling of an enum constant: lower case, '_' → '-'. */
  public static String kebab(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The YAML spellings of an enum's constants, in declaration order. */
  public static List<String> kebabNames(Class<?> enumType) {
    return Arrays.stream(enumType.getEnumConstants()).map(c -> kebab((Enum<?>) c)).toList();
  }

  /** The module with the enum spelling and the record-components-only rule. */
  public static SimpleModule module() {
    SimpleModule module = new SimpleModule("engram-config");
    module.setSerializerModifier(
        new BeanSerializerModifier() {
          @Override
          public JsonSerializer<?> modifyEnumSerializer(
              SerializationConfig config,
              JavaType valueType,
              BeanDescription beanDesc,
              JsonSerializer<?> serializer) {
            return new KebabEnumSerializer();
          }

          @Override
          public JsonSerializer<?> modifyKeySerializer(
              SerializationConfig config,
              JavaType valueType,
              BeanDescription beanDesc,
              JsonSerializer<?> serializer) {
            return valueType.isEnumType() ? new KebabEnumKeySerializer() : serializer;
          }

          @Override
          public List<BeanPropertyWriter> changeProperties(
              SerializationConfig config,
              BeanDescription beanDesc,
              List<BeanPropertyWriter> properties) {
            Class<?> type = beanDesc.getBeanClass();
            if (!type.isRecord()) {
              return properties;
            }
            // Only record components are configuration; a derived isX()/getX() is not a key.
            Set<String> components =
                Arrays.stream(type.getRecordComponents())
                    .map(RecordComponent::getName)
                    .collect(Collectors.toSet());
            return properties.stream()
                .filter(
                    p -> {
                      AnnotatedMember member = p.getMember();
                      return member != null && components.contains(member.getName());
                    })
                .toList();
          }
        });
    module.setDeserializerModifier(
        new BeanDeserializerModifier() {
          @Override
          public JsonDeserializer<?> modifyEnumDeserializer(
              DeserializationConfig config,
              JavaType type,
              BeanDescription beanDesc,
              JsonDeserializer<?> deserializer) {
            return new KebabEnumDeserializer(type.getRawClass());
          }

          @Override
          public KeyDeserializer modifyKeyDeserializer(
              DeserializationConfig config, JavaType type, KeyDeserializer deserializer) {
            return type.isEnumType()
                ? new KebabEnumKeyDeserializer(type.getRawClass())
                : deserializer;
          }
        });
    return module;
  }

  private static String normalize(String text) {
    return text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static Map<String, Enum<?>> lookup(Class<?> enumType) {
    Map<String, Enum<?>> byName = new LinkedHashMap<>();
    for (Object constant : enumType.getEnumConstants()) {
      byName.put(kebab((Enum<?>) constant), (Enum<?>) constant);
    }
    return byName;
  }

  private static final class KebabEnumSerializer extends StdSerializer<Enum<?>> {
    @SuppressWarnings({"unchecked", "rawtypes"})
    KebabEnumSerializer() {
      super((Class) Enum.class);
    }

    @Override
    public void serialize(Enum<?> value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(kebab(value));
    }
  }

  private static final class KebabEnumKeySerializer extends StdSerializer<Object> {
    KebabEnumKeySerializer() {
      super(Object.class);
    }

    @Override
    public void serialize(Object value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeFieldName(kebab((Enum<?>) value));
    }
  }

  private static final class KebabEnumDeserializer extends StdScalarDeserializer<Object> {
    private final Class<?> enumType;
    private final Map<String, Enum<?>> byName;

    KebabEnumDeserializer(Class<?> enumType) {
      super(enumType);
      this.enumType = enumType;
      this.byName = lookup(enumType);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonToken token = p.currentToken();
      if (token == null || token.isStructStart() || token == JsonToken.VALUE_NULL) {
        return ctxt.handleUnexpectedToken(enumType, p);
      }
      String text = p.getValueAsString();
      Enum<?> constant = text == null ? null : byName.get(normalize(text));
      if (constant == null) {
        throw ctxt.weirdStringException(
            text, enumType, "expected one of " + String.join(", ", byName.keySet()));
      }
      return constant;
    }
  }

  private static final class KebabEnumKeyDeserializer extends KeyDeserializer {
    private final Class<?> enumType;
    private final Map<String, Enum<?>> byName;

    KebabEnumKeyDeserializer(Class<?> enumType) {
      this.enumType = enumType;
      this.byName = lookup(enumType);
    }

    @Override
    public Object deserializeKey(String key, DeserializationContext ctxt) throws IOException {
      Enum<?> constant = byName.get(normalize(key));
      if (constant == null) {
        return ctxt.handleWeirdKey(
            enumType, key, "expected one of %s", String.join(", ", byName.keySet()));
      }
      return constant;
    }
  }
}
