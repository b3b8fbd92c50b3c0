using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Storage;

/// <summary>One entity's table and column names as the provider writes them (delimited, with the schema, if any).</summary>
internal sealed class LedgerTableNames
{
    private readonly ISqlGenerationHelper helper;
    private readonly StoreObjectIdentifier store;

    public LedgerTableNames(IModel model, Type clrType, ISqlGenerationHelper helper)
    {
        this.helper = helper;
        EntityType = model.FindEntityType(clrType)
            ?? throw new InvalidOperationException($"The context's model has no {clrType.Name}. Call modelBuilder.ApplyCreditsModel() in OnModelCreating.");
        store = StoreObjectIdentifier.Table(EntityType.GetTableName()!, EntityType.GetSchema());
        Table = helper.DelimitIdentifier(store.Name, store.Schema);
    }

    public IEntityType EntityType { get; }

    public string Table { get; }

    public IProperty Property(string name) => EntityType.FindProperty(name)!;

    public string Column(string property) => helper.DelimitIdentifier(Property(property).GetColumnName(store)!);
}
