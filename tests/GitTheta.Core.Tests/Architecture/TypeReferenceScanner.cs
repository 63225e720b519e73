using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace GitTheta.Core.Tests.Architecture;

/// <summary>
/// Which of an assembly's own types each of its types uses, read from the compiled metadata and IL: base types,
/// interfaces, field, method and local signatures, and every type, method and field token in a method body. Reading
/// the IL (not the source's using directives) means a fully qualified name or a reference hidden in a lambda still
/// counts. Compiler-generated nested types (closures, iterators, async state machines) count as their outermost
/// declaring type.
/// </summary>
internal sealed class TypeReferenceScanner
{
    private static readonly Dictionary<short, OperandType> OperandTypes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value, code => code.OperandType);

    private readonly PEReader peReader;
    private readonly MetadataReader reader;
    private readonly HandleCollector collector;

    private TypeReferenceScanner(PEReader peReader)
    {
        this.peReader = peReader;
        reader = peReader.GetMetadataReader();
        collector = new HandleCollector(reader);
    }

    /// <summary>Every (user, used) pair of full type names in <paramref name="assemblyPath"/>, outermost types only.</summary>
    public static IReadOnlyCollection<(string User, string Used)> Scan(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var peReader = new PEReader(stream);
        return new TypeReferenceScanner(peReader).ScanAll();
    }

    private HashSet<(string User, string Used)> ScanAll()
    {
        var pairs = new HashSet<(string, string)>();
        foreach (var handle in reader.TypeDefinitions)
        {
            var user = OutermostName(handle);
            foreach (var used in ReferencesOf(handle))
            {
                var usedName = OutermostName(used);
                if (usedName != user)
                {
                    pairs.Add((user, usedName));
                }
            }
        }

        return pairs;
    }

    private List<TypeDefinitionHandle> ReferencesOf(TypeDefinitionHandle handle)
    {
        var found = new List<TypeDefinitionHandle>();
        var type = reader.GetTypeDefinition(handle);
        AddType(type.BaseType, found);
        foreach (var implementation in type.GetInterfaceImplementations())
        {
            AddType(reader.GetInterfaceImplementation(implementation).Interface, found);
        }

        foreach (var fieldHandle in type.GetFields())
        {
            found.AddRange(reader.GetFieldDefinition(fieldHandle).DecodeSignature(collector, null));
        }

        foreach (var methodHandle in type.GetMethods())
        {
            var method = reader.GetMethodDefinition(methodHandle);
            var signature = method.DecodeSignature(collector, null);
            found.AddRange(signature.ReturnType);
            foreach (var parameter in signature.ParameterTypes)
            {
                found.AddRange(parameter);
            }

            if (method.RelativeVirtualAddress != 0)
            {
                AddBody(peReader.GetMethodBody(method.RelativeVirtualAddress), found);
            }
        }

        return found;
    }

    private void AddBody(MethodBodyBlock body, List<TypeDefinitionHandle> found)
    {
        if (!body.LocalSignature.IsNil)
        {
            foreach (var local in reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(collector, null))
            {
                found.AddRange(local);
            }
        }

        var il = body.GetILReader();
        short previous = 0;
        while (il.RemainingBytes > 0)
        {
            short value = il.ReadByte();
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il.ReadByte());
            }

            if (!OperandTypes.TryGetValue(value, out var operand))
            {
                throw new InvalidDataException($"Unknown IL opcode 0x{value:X} at offset {il.Offset - 1} after 0x{previous:X}.");
            }

            previous = value;
            switch (operand)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineSwitch:
                    var targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineTok:
                case OperandType.InlineType:
                    AddToken(il.ReadInt32(), found);
                    break;
                default:
                    il.Offset += 4;
                    break;
            }
        }
    }

    private void AddToken(int token, List<TypeDefinitionHandle> found)
    {
        var handle = MetadataTokens.EntityHandle(token);
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
            case HandleKind.TypeSpecification:
                AddType(handle, found);
                break;
            case HandleKind.FieldDefinition:
                found.Add(reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.MethodDefinition:
                found.Add(reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.MemberReference:
                var parent = reader.GetMemberReference((MemberReferenceHandle)handle).Parent;
                if (parent.Kind == HandleKind.MethodDefinition)
                {
                    found.Add(reader.GetMethodDefinition((MethodDefinitionHandle)parent).GetDeclaringType());
                }
                else
                {
                    AddType(parent, found);
                }

                break;
            case HandleKind.MethodSpecification:
                var specification = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                AddToken(MetadataTokens.GetToken(specification.Method), found);
                foreach (var argument in specification.DecodeSignature(collector, null))
                {
                    found.AddRange(argument);
                }

                break;
        }
    }

    private void AddType(EntityHandle handle, List<TypeDefinitionHandle> found)
    {
        if (handle.IsNil)
        {
            return;
        }

        if (handle.Kind == HandleKind.TypeDefinition)
        {
            found.Add((TypeDefinitionHandle)handle);
        }
        else if (handle.Kind == HandleKind.TypeSpecification)
        {
            found.AddRange(reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(collector, null));
        }
    }

    private string OutermostName(TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        while (type.IsNested)
        {
            type = reader.GetTypeDefinition(type.GetDeclaringType());
        }

        var name = reader.GetString(type.Name);
        return type.Namespace.IsNil ? name : reader.GetString(type.Namespace) + "." + name;
    }

    /// <summary>Decodes a signature into the assembly's own type definitions it mentions (other assemblies' types are dropped).</summary>
    private sealed class HandleCollector(MetadataReader reader) : ISignatureTypeProvider<ImmutableArray<TypeDefinitionHandle>, object?>
    {
        private static readonly ImmutableArray<TypeDefinitionHandle> None = [];

        public ImmutableArray<TypeDefinitionHandle> GetTypeFromDefinition(MetadataReader metadata, TypeDefinitionHandle handle, byte rawTypeKind) => [handle];

        public ImmutableArray<TypeDefinitionHandle> GetTypeFromReference(MetadataReader metadata, TypeReferenceHandle handle, byte rawTypeKind) => None;

        public ImmutableArray<TypeDefinitionHandle> GetTypeFromSpecification(MetadataReader metadata, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public ImmutableArray<TypeDefinitionHandle> GetGenericInstantiation(ImmutableArray<TypeDefinitionHandle> genericType, ImmutableArray<ImmutableArray<TypeDefinitionHandle>> typeArguments) =>
            genericType.AddRange(typeArguments.SelectMany(argument => argument));

        public ImmutableArray<TypeDefinitionHandle> GetArrayType(ImmutableArray<TypeDefinitionHandle> elementType, ArrayShape shape) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetSZArrayType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetByReferenceType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetPointerType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetPinnedType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetModifiedType(ImmutableArray<TypeDefinitionHandle> modifier, ImmutableArray<TypeDefinitionHandle> unmodifiedType, bool isRequired) => unmodifiedType;

        public ImmutableArray<TypeDefinitionHandle> GetFunctionPointerType(MethodSignature<ImmutableArray<TypeDefinitionHandle>> signature) =>
            signature.ReturnType.AddRange(signature.ParameterTypes.SelectMany(parameter => parameter));

        public ImmutableArray<TypeDefinitionHandle> GetGenericMethodParameter(object? genericContext, int index) => None;

        public ImmutableArray<TypeDefinitionHandle> GetGenericTypeParameter(object? genericContext, int index) => None;

        public ImmutableArray<TypeDefinitionHandle> GetPrimitiveType(PrimitiveTypeCode typeCode) => None;
    }
}
